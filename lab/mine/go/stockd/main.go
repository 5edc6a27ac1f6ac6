// Command stockd is the inventory service: stock levels, prices, imports and reports over
// HTTP (gorilla/mux behind sentry-go's net/http middleware). The harness sends it one request
// per job over loopback.
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
	"github.com/gorilla/mux"

	"lab.local/harness"
)

func routes() http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/items/{sku}", showItem).Methods("GET")
	r.HandleFunc("/items/{sku}/adjust", adjustStock).Methods("POST")
	r.HandleFunc("/v1/adjust", legacyAdjust).Methods("POST")
	r.HandleFunc("/items", createItem).Methods("POST")
	r.HandleFunc("/items/{sku}/tags/{tag}", tagItem).Methods("PUT")
	r.HandleFunc("/items/{sku}/history", itemHistory).Methods("GET")
	r.HandleFunc("/items/{sku}/price", setPrice).Methods("PUT")
	r.HandleFunc("/items/{sku}/barcode", barcode).Methods("GET")
	r.HandleFunc("/items/{sku}/weight", shippingWeight).Methods("POST")
	r.HandleFunc("/reports/daily", dailyReport).Methods("GET")
	r.HandleFunc("/reports/share", shareReport).Methods("GET")
	r.HandleFunc("/search", search).Methods("GET")
	r.HandleFunc("/import", importCSV).Methods("POST")
	r.HandleFunc("/webhooks", registerWebhook).Methods("POST")
	r.HandleFunc("/config", reloadConfig).Methods("POST")
	r.HandleFunc("/warehouses/{code}/bins", listBins).Methods("GET")
	r.Use(authenticate)
	return sentryhttp.New(sentryhttp.Options{}).Handle(r)
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
