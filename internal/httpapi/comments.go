package httpapi

import "net/http"

func (a *API) registerComments(mux *http.ServeMux) {}
