package main

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/getsentry/sentry-go"
)

// reply answers with v as JSON.
func reply(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// fail answers 500 and reports err with the request's hub.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	if hub := sentry.GetHubFromContext(r.Context()); hub != nil {
		hub.CaptureException(err) // lab: fault=capture-http
	}
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

// intParam is a query parameter as a number (0 when absent or not a number).
func intParam(r *http.Request, name string) int {
	n, _ := strconv.Atoi(r.URL.Query().Get(name))
	return n
}
