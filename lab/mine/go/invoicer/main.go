// Command invoicer is the billing API: invoices, lines, totals, currency conversion and
// rendering, on gin with sentry-go's gin middleware. The harness sends it one request per job
// over loopback.
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
	sentrygin "github.com/getsentry/sentry-go/gin"
	"github.com/gin-gonic/gin"

	"lab.local/harness"
)

func router() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(sentrygin.New(sentrygin.Options{}))
	api := r.Group("/api")
	api.POST("/invoices", createInvoice)
	api.GET("/invoices/:id", showInvoice)
	api.POST("/invoices/:id/lines", addLine)
	api.GET("/invoices/:id/total", invoiceTotal)
	api.POST("/invoices/:id/render", renderInvoice)
	api.POST("/invoices/:id/pay", payInvoice)
	api.GET("/invoices/:id/split", splitInvoice)
	api.GET("/customers/:uuid", showCustomer)
	api.GET("/customers/:uuid/client", clientCompat)
	api.POST("/imports/xml", importXML)
	api.POST("/settings", loadSettings)
	api.GET("/fx", convert)
	api.POST("/discounts", createDiscount)
	api.GET("/schedules", nextRun)
	r.GET("/legacy/invoice", legacyInvoice)
	return r
}

func main() {
	harness.Init()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	server := &http.Server{Handler: router(), ReadHeaderTimeout: 5 * time.Second}
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
