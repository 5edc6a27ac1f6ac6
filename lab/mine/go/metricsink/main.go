// Command metricsink takes metrics over HTTP on fasthttp (behind sentry-go's fasthttp handler):
// line-protocol writes, compressed or not, CBOR writes, a YAML or TOML config reload, rollup
// queries and alert rules. The harness sends it one request per job over loopback.
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
	sentryfasthttp "github.com/getsentry/sentry-go/fasthttp"
	"github.com/valyala/fasthttp"

	"lab.local/harness"
)

func router(ctx *fasthttp.RequestCtx) {
	switch string(ctx.Path()) {
	case "/write", "/api/v2/write":
		write(ctx)
	case "/write/cbor":
		writeCBOR(ctx)
	case "/config":
		reloadConfig(ctx)
	case "/query", "/api/v2/query":
		query(ctx)
	case "/alerts":
		createAlert(ctx)
	default:
		ctx.SetStatusCode(fasthttp.StatusNotFound)
	}
}

func main() {
	harness.Init()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	handler := sentryfasthttp.New(sentryfasthttp.Options{}).Handle(router)
	server := &fasthttp.Server{Handler: handler, ReadTimeout: 5 * time.Second}
	go server.Serve(listener)
	base := "http://" + listener.Addr().String()
	client := &http.Client{Timeout: 20 * time.Second}
	harness.Jobs(func(job string) {
		parts := strings.SplitN(job, " ", 3)
		body := ""
		if len(parts) == 3 {
			body = strings.ReplaceAll(parts[2], `\n`, "\n")
		}
		req, _ := http.NewRequest(parts[0], base+parts[1], strings.NewReader(body))
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
