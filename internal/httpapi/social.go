package httpapi

import "net/http"

func (a *API) registerSocial(mux *http.ServeMux) {}
