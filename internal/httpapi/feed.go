package httpapi

import "net/http"

func (a *API) registerFeed(mux *http.ServeMux) {}
