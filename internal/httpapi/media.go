package httpapi

import "net/http"

func (a *API) registerMedia(mux *http.ServeMux) {}
