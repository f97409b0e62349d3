package httpapi

import "net/http"

func (a *API) registerFollows(mux *http.ServeMux) {}
