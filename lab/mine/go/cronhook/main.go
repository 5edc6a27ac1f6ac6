// Command cronhook schedules jobs and tells webhooks about them: an HTTP API (net/http behind
// sentry-go's middleware), a command line (cronhook COMMAND ARGS...) and a pool of workers
// that run queued tasks. The harness feeds it one job a line: "http METHOD PATH [BODY]",
// "cli COMMAND ARGS..." or "worker TASK ARGS...".
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

	"lab.local/harness"
)

func main() {
	harness.Init()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	server := &http.Server{Handler: behindProxy(routes()), ReadHeaderTimeout: 5 * time.Second}
	go server.Serve(listener)
	client := &http.Client{Timeout: 20 * time.Second}
	base := "http://" + listener.Addr().String()
	workers := startPool(3)
	harness.Jobs(func(job string) {
		entry, rest, _ := strings.Cut(job, " ")
		switch entry {
		case "http":
			request(client, base, rest)
		case "cli":
			runCLI(strings.Fields(rest))
		case "worker":
			workers.run(strings.Fields(rest))
		default:
			fmt.Fprintln(os.Stderr, "unknown entry:", job)
			os.Exit(4)
		}
	})
	workers.stop()
	sentry.Flush(2 * time.Second)
}

// request sends "METHOD PATH [BODY]" the way the load balancer forwards it.
func request(client *http.Client, base, line string) {
	parts := strings.SplitN(line, " ", 3)
	body := ""
	if len(parts) == 3 {
		body = strings.ReplaceAll(parts[2], `\n`, "\n")
	}
	req, _ := http.NewRequest(parts[0], base+parts[1], strings.NewReader(body))
	req.Host = "cronhook.internal"
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "request failed:", line, err)
		os.Exit(4)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// behindProxy takes the client's address from the proxy's header.
func behindProxy(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client := r.Header.Get("X-Forwarded-For"); client != "" {
			r.RemoteAddr = net.JoinHostPort(client, "443")
		}
		next.ServeHTTP(w, r)
	})
}
