package main

import (
	"encoding/json"

	sentryfasthttp "github.com/getsentry/sentry-go/fasthttp"
	"github.com/valyala/fasthttp"
)

// fail reports err with the request's hub and answers 400.
func fail(ctx *fasthttp.RequestCtx, err error) {
	if hub := sentryfasthttp.GetHubFromContext(ctx); hub != nil {
		hub.CaptureException(err) // lab: fault=capture
	}
	ctx.Error(err.Error(), fasthttp.StatusBadRequest)
}

func reply(ctx *fasthttp.RequestCtx, v interface{}) {
	ctx.SetContentType("application/json")
	json.NewEncoder(ctx).Encode(v)
}
