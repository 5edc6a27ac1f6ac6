package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/pkg/errors"
)

type call struct {
	Version string          `json:"jsonrpc"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	ID      interface{}     `json:"id"`
}

type result struct {
	ID     interface{} `json:"id"`
	Result interface{} `json:"result,omitempty"`
	Error  string      `json:"error,omitempty"`
}

type method func(ctx context.Context, params json.RawMessage) (interface{}, error)

var methods = map[string]method{
	"rates.list":      listRates,
	"rates.convert":   convert,
	"rates.history":   history,
	"rates.format":    formatAmount,
	"quotes.create":   createQuote,
	"accounts.lookup": lookupAccount,
	"accounts.flag":   flagAccount,
	"hooks.verify":    verifyHook,
	"hosts.normalize": normalizeHost,
	"batch.sum":       sumValues,
	"tz.shift":        shiftZone,
}

// serveCall answers one JSON-RPC call.
func serveCall(w http.ResponseWriter, r *http.Request) {
	var c call
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		report(r.Context(), errors.Wrap(err, "rpc: decode")) // lab: fault=rpc-decode
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	reply(w, dispatch(r.Context(), c))
}

// serveBatch answers a batch of calls in order.
func serveBatch(w http.ResponseWriter, r *http.Request) {
	var calls []call
	if err := json.NewDecoder(r.Body).Decode(&calls); err != nil {
		report(r.Context(), errors.Wrap(err, "rpc: batch")) // lab: fault=batch-decode
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	results := make([]result, 0, len(calls))
	for _, c := range calls {
		results = append(results, dispatch(r.Context(), c))
	}
	reply(w, results)
}

// serveLegacy answers /v1/METHOD with the body as the params.
func serveLegacy(w http.ResponseWriter, r *http.Request) {
	var params json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&params); err != nil {
		params = json.RawMessage("{}")
	}
	name := strings.TrimPrefix(r.URL.Path, "/v1/")
	reply(w, dispatch(r.Context(), call{Version: "2.0", Method: name, Params: params, ID: 0}))
}

// dispatch runs one call; a method's error is reported and answered.
func dispatch(ctx context.Context, c call) result {
	run, ok := methods[c.Method]
	if !ok {
		return result{ID: c.ID, Error: "method not found"}
	}
	out, err := run(ctx, c.Params)
	if err != nil {
		report(ctx, err)
		return result{ID: c.ID, Error: err.Error()}
	}
	return result{ID: c.ID, Result: out}
}

func reply(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
