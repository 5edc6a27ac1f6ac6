// Command shipyard is a parcel-shipping service: parcels, quotes, couriers, pickups and tracking
// over HTTP (net/http behind sentry-go's middleware), a command line for the operations desk,
// and a background worker goroutine that consumes dispatch messages. The harness feeds it one
// job per line: "http METHOD PATH [BODY]", "cli ARGS..." or "worker KIND BODY" (a literal \n in
// a job is a newline); each job starts from the same seeded store.
package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"

	"lab.local/harness"
)

func main() {
	harness.Init()
	handler := routes()
	queue := startWorker()
	harness.Jobs(func(job string) {
		resetStore()
		job = strings.ReplaceAll(job, `\n`, "\n")
		entry, rest, _ := strings.Cut(job, " ")
		switch entry {
		case "http":
			serve(handler, rest)
		case "cli":
			runCLI(strings.Split(rest, " "))
		case "worker":
			kind, body, _ := strings.Cut(rest, " ")
			queue.submit(Message{Kind: kind, Body: body})
		}
	})
	sentry.Flush(2 * time.Second)
}

// serve sends one request through the whole handler chain, as the listener would.
func serve(handler http.Handler, request string) {
	parts := strings.SplitN(request, " ", 3)
	body := ""
	if len(parts) == 3 {
		body = parts[2]
	}
	req := httptest.NewRequest(parts[0], parts[1], strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	handler.ServeHTTP(httptest.NewRecorder(), req)
}
