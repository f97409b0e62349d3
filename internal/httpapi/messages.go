package httpapi

import "net/http"

func (a *API) registerMessages(mux *http.ServeMux) {}
