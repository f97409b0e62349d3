package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/media"
)

func (a *API) registerMedia(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/media", handler(a.uploadMedia))
	mux.Handle("GET /media/{key...}", handler(a.serveMedia))
}

// uploadMedia streams the multipart field "file" into the media service
// without buffering the whole request (videos may be 100 MiB).
func (a *API) uploadMedia(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Upload, me.ID.String()); err != nil {
		return err
	}
	// Room for the largest file plus the multipart framing.
	r.Body = http.MaxBytesReader(w, r.Body, media.MaxVideoBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return apperr.Invalid("send the file as multipart/form-data in the field \"file\"")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return apperr.Invalid("the multipart body has no field \"file\"")
		}
		if err != nil {
			return uploadReadError(err)
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		m, err := a.app.Media.Upload(r.Context(), me.ID, part.FileName(), part)
		part.Close()
		if err != nil {
			return uploadReadError(err)
		}
		httpx.WriteJSON(w, http.StatusCreated, m)
		return nil
	}
}

// uploadReadError maps a body that outgrew MaxBytesReader to 413 and a
// broken multipart stream to 400.
func uploadReadError(err error) error {
	var mbe *http.MaxBytesError
	var ae *apperr.Error
	switch {
	case errors.As(err, &mbe):
		return apperr.TooLarge("the upload is larger than %d MiB", media.MaxVideoBytes>>20)
	case errors.As(err, &ae):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalid("the multipart body is malformed or was cut short")
	}
	return err
}

// mediaTypes are the only content types /media/ serves; anything else is
// sent as a download so a stored file can never be rendered as a page.
var mediaTypes = map[string]string{
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".webp": "image/webp",
	".gif":  "image/gif",
	".mp4":  "video/mp4",
	".mov":  "video/quicktime",
	".webm": "video/webm",
}

// serveMedia sends a stored file, or redirects to it when the store lets
// browsers fetch it directly (S3 with a public or presigned URL). Keys are
// random and files never change once written, so they are cached for a
// year; Range requests (video seeking) are handled by http.ServeContent.
func (a *API) serveMedia(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	if !media.ValidKey(key) {
		return apperr.NotFound("file")
	}
	if rd, ok := a.app.Media.Store().(media.Redirector); ok {
		u, maxAge, err := rd.Redirect(r.Context(), key)
		if err != nil {
			return err
		}
		if u != "" {
			// The redirect is cached too, for no longer than its target
			// stays valid; the object carries media.CacheControl itself.
			w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(maxAge.Seconds())))
			http.Redirect(w, r, u, http.StatusFound)
			return nil
		}
	}
	obj, err := a.app.Media.Store().Open(r.Context(), key)
	if errors.Is(err, media.ErrNotExist) {
		return apperr.NotFound("file")
	}
	if err != nil {
		return err
	}
	defer obj.Close()
	h := w.Header()
	ct, ok := mediaTypes[path.Ext(key)]
	if !ok {
		ct = "application/octet-stream"
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(key)}))
	}
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", media.CacheControl)
	http.ServeContent(w, r, "", obj.ModTime, obj)
	return nil
}
