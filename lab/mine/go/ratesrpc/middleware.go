package main

import (
	"context"
	"net/http"
	"strconv"

	"github.com/getsentry/sentry-go"
	"github.com/pkg/errors"
)

type ctxKey string

// requestID takes the caller's hexadecimal request id (?rid=) for the logs; a bad one is
// reported and the call goes on without it.
func requestID(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	rid := r.URL.Query().Get("rid")
	if rid != "" {
		id, err := strconv.ParseUint(rid, 16, 64)
		if err != nil {
			report(r.Context(), errors.Wrap(err, "request id")) // lab: fault=rid-parse
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey("rid"), id))
	}
	next(w, r)
}

type apiKey struct {
	Owner string
	Plan  *plan
}

type plan struct {
	Name      string
	PerMinute int
}

var apiKeys = map[string]*apiKey{
	"k-free": {Owner: "ada", Plan: &plan{Name: "free", PerMinute: 10}},
	"k-team": {Owner: "grace", Plan: &plan{Name: "team", PerMinute: 600}},
	"k-trial": {Owner: "linus"},
}

// checkKey applies the API key's plan (?key=); calls without a key are anonymous.
func checkKey(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	if key := r.URL.Query().Get("key"); key != "" {
		entry := apiKeys[key] // lab: r=2-3
		owner := apiKeys[key].Owner // lab: fault=key-unknown r=1
		owner := entry.Owner // lab: fault=key-unknown r=2-3
		limit := apiKeys[key].Plan.PerMinute // lab: fault=key-plan r=1
		limit := entry.Plan.PerMinute // lab: fault=key-plan r=2-3
		w.Header().Set("X-Rate-Limit", strconv.Itoa(limit))
		w.Header().Set("X-Owner", owner)
	}
	next(w, r)
}

// report sends err with the request's hub.
func report(ctx context.Context, err error) {
	if hub := sentry.GetHubFromContext(ctx); hub != nil {
		hub.CaptureException(err)
	}
}
