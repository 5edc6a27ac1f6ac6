// Command ratesrpc is the exchange-rate service: a JSON-RPC 2.0 endpoint on net/http's own
// ServeMux, behind a negroni middleware chain (a request id, an API key check) and sentry-go's
// net/http handler. Calls come one at a time (/rpc), in batches (/rpc/batch) or on the legacy
// REST-style route (/v1/METHOD, the params as the body). The harness sends one request per job.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	"github.com/urfave/negroni"

	"lab.local/harness"
)

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/rpc", serveCall)
	mux.HandleFunc("/rpc/batch", serveBatch)
	mux.HandleFunc("/v1/", serveLegacy)
	chain := negroni.New()
	chain.UseFunc(requestID)
	chain.UseFunc(checkKey)
	chain.UseHandler(mux)
	return sentryhttp.New(sentryhttp.Options{}).Handle(chain)
}

func main() {
	harness.Init()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	server := &http.Server{Handler: routes(), ReadHeaderTimeout: 5 * time.Second}
	go server.Serve(listener)
	base := "http://" + listener.Addr().String()
	client := &http.Client{Timeout: 20 * time.Second}
	harness.Jobs(func(job string) {
		path, body, _ := strings.Cut(job, " ")
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			fmt.Fprintln(os.Stderr, "request failed:", job, err)
			os.Exit(4)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	})
	sentry.Flush(2 * time.Second)
}
