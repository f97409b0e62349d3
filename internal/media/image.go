package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/redmark/redmark/internal/apperr"
)

type imageCodec struct {
	decode       func(io.Reader) (image.Image, error)
	decodeConfig func(io.Reader) (image.Config, error)
}

var codecs = map[string]imageCodec{
	"jpeg": {jpeg.Decode, jpeg.DecodeConfig},
	"png":  {png.Decode, png.DecodeConfig},
	"gif":  {gif.Decode, gif.DecodeConfig}, // animated GIFs keep their first frame
	"webp": {webp.Decode, webp.DecodeConfig},
}

// storeImage decodes, normalises and stores an image and its thumbnail.
func (s *Service) storeImage(ctx context.Context, t fileType, r io.Reader) (stored, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImageBytes+1))
	if err != nil {
		return stored{}, fmt.Errorf("read upload: %w", err)
	}
	if len(data) > MaxImageBytes {
		return stored{}, apperr.TooLarge("images may be at most %d MiB", MaxImageBytes>>20)
	}
	full, thumb, err := s.processImage(ctx, t.format, data)
	if err != nil {
		return stored{}, err
	}
	var fullJPEG, thumbJPEG bytes.Buffer
	if err := jpeg.Encode(&fullJPEG, full, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return stored{}, err
	}
	if err := jpeg.Encode(&thumbJPEG, thumb, &jpeg.Options{Quality: thumbQuality}); err != nil {
		return stored{}, err
	}
	base := newKeyBase()
	st := stored{
		kind: Image, contentType: "image/jpeg", key: base + ".jpg", thumbKey: base + "_t.jpg",
		width: full.Bounds().Dx(), height: full.Bounds().Dy(), size: int64(fullJPEG.Len()),
	}
	err = s.put(ctx,
		object{st.key, "image/jpeg", &fullJPEG},
		object{st.thumbKey, "image/jpeg", &thumbJPEG})
	return st, err
}

// processImage returns the image to store (upright, long side at most
// MaxImageSide, flattened on white) and its thumbnail (ThumbWidth wide).
func (s *Service) processImage(ctx context.Context, format string, data []byte) (full, thumb *image.RGBA, err error) {
	c := codecs[format]
	cfg, err := c.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, nil, apperr.Invalid("the image could not be read (%s data is corrupt or truncated)", format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, nil, apperr.Invalid("the image has no pixels")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, nil, apperr.TooLarge("images may have at most %d megapixels", MaxImagePixels/1_000_000)
	}
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	img, err := c.decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, apperr.Invalid("the image could not be read (%s data is corrupt or truncated)", format)
	}
	orientation := 1
	if format == "jpeg" {
		orientation = exifOrientation(data)
	}
	w, h := fit(img.Bounds().Dx(), img.Bounds().Dy(), MaxImageSide)
	full = orient(scale(img, w, h), orientation)
	thumb = full
	if fw := full.Bounds().Dx(); fw > ThumbWidth {
		thumb = scale(full, ThumbWidth, max(1, (full.Bounds().Dy()*ThumbWidth+fw/2)/fw))
	}
	return full, thumb, nil
}

// fit scales w×h down so that the long side is at most side.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, (h*side+w/2)/w)
	}
	return max(1, (w*side+h/2)/h), side
}

// scale draws src into a new w×h RGBA over white (JPEG has no alpha, and
// transparent pixels should not turn black). Big reductions (a 40 MP photo
// to 2048 px) go through a fast bilinear sample to twice the size and a 2×2
// box average, which anti-aliases as well as a wide kernel at a fraction of
// the cost; smaller ones use the bilinear kernel, which widens itself when
// shrinking.
func scale(src image.Image, w, h int) *image.RGBA {
	sw, sh := src.Bounds().Dx(), src.Bounds().Dy()
	dst := whiteRGBA(w, h)
	switch {
	case sw == w && sh == h:
		draw.Draw(dst, dst.Bounds(), src, src.Bounds().Min, draw.Over)
	case sw >= 2*w && sh >= 2*h:
		mid := whiteRGBA(2*w, 2*h)
		draw.ApproxBiLinear.Scale(mid, mid.Bounds(), src, src.Bounds(), draw.Over, nil)
		halve(dst, mid)
	default:
		draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	}
	return dst
}

func whiteRGBA(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(m, m.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return m
}

// halve averages each 2×2 block of src (2w×2h) into one pixel of dst (w×h).
func halve(dst, src *image.RGBA) {
	w, h := dst.Bounds().Dx(), dst.Bounds().Dy()
	for y := 0; y < h; y++ {
		r0 := src.Pix[2*y*src.Stride:]
		r1 := src.Pix[(2*y+1)*src.Stride:]
		d := dst.Pix[y*dst.Stride:]
		for x := 0; x < 4*w; x++ {
			i := x/4*8 + x%4 // channel x%4 of the left pixel of the block
			d[x] = uint8((uint16(r0[i]) + uint16(r0[i+4]) + uint16(r1[i]) + uint16(r1[i+4]) + 2) / 4)
		}
	}
}

// orient applies an EXIF orientation (1–8) so the stored image is upright:
// metadata is dropped on re-encoding, so the rotation must be baked in.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2: // mirrored horizontally
				dx, dy = w-1-x, y
			case 3: // rotated 180°
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored vertically
				dx, dy = x, h-1-y
			case 5: // transposed
				dx, dy = y, x
			case 6: // needs 90° clockwise
				dx, dy = h-1-y, x
			case 7: // transversed
				dx, dy = h-1-y, w-1-x
			case 8: // needs 90° counter-clockwise
				dx, dy = y, w-1-x
			}
			si := src.PixOffset(x, y)
			copy(dst.Pix[dst.PixOffset(dx, dy):][:4], src.Pix[si:si+4])
		}
	}
	return dst
}

// exifOrientation reads the Orientation tag (0x0112) of IFD0 from a JPEG's
// APP1 Exif segment, or returns 1 when there is none or it is malformed.
func exifOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xFF {
			return 1
		}
		marker := data[p+1]
		if marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) {
			p += 2 // markers without a length
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // image data starts: no more metadata
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return 1
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			if o, err := tiffOrientation(seg[6:]); err == nil {
				return o
			}
			return 1
		}
		p += 2 + n
	}
	return 1
}

var errBadExif = errors.New("malformed exif")

func tiffOrientation(t []byte) (int, error) {
	if len(t) < 8 {
		return 0, errBadExif
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, errBadExif
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0, errBadExif
	}
	n := int(bo.Uint16(t[off:]))
	for i := 0; i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > len(t) {
			return 0, errBadExif
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 { // Orientation, SHORT
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o, nil
			}
			return 0, errBadExif
		}
	}
	return 1, nil
}
