// Command geofence keeps named circular fences and answers which fences a point lies in, over
// a line-oriented TCP protocol (one goroutine and one Sentry hub per connection, a panic in a
// command recovered and reported there) and over HTTP (POST /exec, behind sentry-go's net/http
// handler, for the admin console). The harness sends one job per connection or request: a
// few commands separated by " | ", one of which fails.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"

	"lab.local/harness"
)

func main() {
	harness.Init()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	go acceptLoop(tcp)
	web, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/exec", serveExec)
	server := &http.Server{Handler: sentryhttp.New(sentryhttp.Options{}).Handle(mux),
		ReadHeaderTimeout: 5 * time.Second}
	go server.Serve(web)
	client := &http.Client{Timeout: 20 * time.Second}
	harness.Jobs(func(job string) {
		via, script, _ := strings.Cut(job, " ")
		commands := strings.Split(script, " | ")
		if via == "http" {
			body := strings.Join(commands, "\n")
			resp, err := client.Post("http://"+web.Addr().String()+"/exec", "text/plain",
				strings.NewReader(body))
			if err != nil {
				fmt.Fprintln(os.Stderr, "request failed:", job, err)
				os.Exit(4)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return
		}
		conn, err := net.Dial("tcp", tcp.Addr().String())
		if err != nil {
			fmt.Fprintln(os.Stderr, "dial failed:", job, err)
			os.Exit(4)
		}
		replies := bufio.NewReader(conn)
		for _, command := range commands {
			fmt.Fprintf(conn, "%s\r\n", command)
			if _, err := replies.ReadString('\n'); err != nil {
				fmt.Fprintln(os.Stderr, "no reply:", job, err)
				os.Exit(4)
			}
		}
		fmt.Fprintf(conn, "QUIT\r\n")
		replies.ReadString('\n')
		conn.Close()
	})
	sentry.Flush(2 * time.Second)
}
