package main

import (
	"encoding/json"
	"net/http"

	"github.com/getsentry/sentry-go"
)

// fail reports err to Sentry with the request's hub and answers with status.
func fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	if hub := sentry.GetHubFromContext(r.Context()); hub != nil {
		hub.CaptureException(err)
	}
	http.Error(w, err.Error(), status)
}

func reply(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
