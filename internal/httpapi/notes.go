package httpapi

import "net/http"

func (a *API) registerNotes(mux *http.ServeMux) {}
