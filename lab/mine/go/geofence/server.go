package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/getsentry/sentry-go"
)

// session is one client: its connection's hub and what it said in HELLO.
type session struct {
	ctx     context.Context
	hub     *sentry.Hub
	client  string
	version [3]int
}

func acceptLoop(listener net.Listener) {
	for {
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		go serveConn(conn)
	}
}

// serveConn answers one connection's commands, one line each, until QUIT.
func serveConn(conn net.Conn) {
	defer conn.Close()
	hub := sentry.CurrentHub().Clone()
	hub.Scope().SetTag("transport", "tcp")
	hub.Scope().SetTag("peer", conn.RemoteAddr().Network()) // lab: r=2-3
	s := &session{ctx: sentry.SetHubOnContext(context.Background(), hub), hub: hub}
	lines := bufio.NewScanner(conn)
	for lines.Scan() {
		line := strings.TrimSpace(lines.Text())
		if line == "QUIT" {
			fmt.Fprint(conn, "BYE\r\n")
			return
		}
		fmt.Fprintf(conn, "%s\r\n", s.execute(line))
	}
}

// serveExec runs the body's commands, one a line, for the admin console.
func serveExec(w http.ResponseWriter, r *http.Request) {
	hub := sentry.GetHubFromContext(r.Context())
	s := &session{ctx: r.Context(), hub: hub}
	body, _ := io.ReadAll(r.Body)
	for _, line := range strings.Split(string(body), "\n") {
		fmt.Fprintln(w, s.execute(strings.TrimSpace(line)))
	}
}

// execute runs one command; its error is reported and answered, and so is its panic.
func (s *session) execute(line string) (reply string) {
	defer func() {
		if reply == "" { // a panic, recovered and reported below
			reply = "ERR internal error"
		}
	}()
	defer sentry.RecoverWithContext(s.ctx)
	verb, args, _ := strings.Cut(line, " ")
	handler, ok := verbs[strings.ToUpper(verb)]
	if !ok {
		return "ERR unknown command"
	}
	out, err := handler(s, strings.Fields(args))
	if err != nil {
		s.hub.CaptureException(err) // lab: fault=capture
		return "ERR " + err.Error()
	}
	return "OK " + out
}
