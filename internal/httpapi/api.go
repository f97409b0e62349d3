// Package httpapi is the JSON API under /api/v1: thin handlers, one file per
// area, over the services in internal/app. Errors use httpx.WriteError.
package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
)

// API serves /api/v1.
type API struct {
	app *app.App
}

func New(a *app.App) *API { return &API{app: a} }

// handler adapts a handler that returns an error.
type handler func(w http.ResponseWriter, r *http.Request) error

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		httpx.WriteError(w, r, err)
	}
}

// Register adds every API route to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/auth/signup", handler(a.signup))
	mux.Handle("POST /api/v1/auth/login", handler(a.login))
	mux.Handle("POST /api/v1/auth/logout", handler(a.logout))
	mux.Handle("GET /api/v1/me", handler(a.getMe))
	mux.Handle("PATCH /api/v1/me", handler(a.patchMe))
	mux.Handle("GET /api/v1/users/{username}", handler(a.getUser))
	a.registerMedia(mux)
	a.registerNotes(mux)
	a.registerTopics(mux)
	a.registerSearch(mux)
	a.registerSocial(mux)
	a.registerComments(mux)
	a.registerFollows(mux)
	a.registerFeed(mux)
	a.registerDiscover(mux)
	a.registerMessages(mux)
	a.registerNotifications(mux)
	a.registerShop(mux)
	a.registerOrders(mux)
	a.registerPayments(mux)
	a.registerPoints(mux)
	a.registerAddresses(mux)
	a.registerPromotions(mux)
	a.registerFlash(mux)
	a.registerProductNotes(mux)
	a.registerGrowth(mux)
	a.registerPlaces(mux)
	a.registerCampaigns(mux)
	a.registerFestivals(mux)
	a.registerCreators(mux)
	a.registerSupport(mux)
	a.registerModeration(mux)
	a.registerLive(mux)
	a.registerLiveChat(mux)
	a.registerAnalytics(mux)
	mux.Handle("GET /api/openapi.json", http.HandlerFunc(serveOpenAPI))
	mux.Handle("/api/", handler(func(w http.ResponseWriter, r *http.Request) error {
		return notFound
	}))
}

func (a *API) clientIP(r *http.Request) string { return httpx.ClientIP(r, a.app.Config.TrustProxy) }
