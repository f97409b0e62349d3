package httpapi

import "net/http"

func (a *API) registerNotifications(mux *http.ServeMux) {}
