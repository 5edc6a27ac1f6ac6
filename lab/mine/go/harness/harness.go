// Package harness starts the official sentry-go SDK with a transport that writes each event
// exactly as the HTTP transport would send it (json.Marshal of the event) to the file named by
// LAB_EVENTS, one line each, and feeds the application its jobs: one line of stdin each, a
// "--job" line written after every job so that the driver knows which events a job raised.
package harness

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"
)

// FileTransport is a sentry.Transport that appends events to a file instead of posting them.
type FileTransport struct {
	mu  sync.Mutex
	out *os.File
}

func (t *FileTransport) Configure(sentry.ClientOptions) {}

func (t *FileTransport) SendEvent(event *sentry.Event) {
	body, err := json.Marshal(event)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness: event not serialisable:", err)
		os.Exit(3)
	}
	t.write(append(body, '\n'))
}

func (t *FileTransport) Flush(time.Duration) bool { return true }

func (t *FileTransport) write(line []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := t.out.Write(line); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(3)
	}
}

var transport *FileTransport

// Init starts sentry-go for the release named by LAB_RELEASE.
func Init() {
	out, err := os.OpenFile(os.Getenv("LAB_EVENTS"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(2)
	}
	transport = &FileTransport{out: out}
	err = sentry.Init(sentry.ClientOptions{
		Dsn:         "http://public@127.0.0.1:9/1",
		Release:     os.Getenv("LAB_RELEASE"),
		Environment: "production",
		ServerName:  "app-1",
		Transport:   transport,
		// panic("...") (a string, as regexp.MustCompile's) is a message event: give it a stack
		AttachStacktrace: true,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sentry.Init:", err)
		os.Exit(2)
	}
}

// Jobs calls run with each line of stdin and marks the end of each job in the events file.
func Jobs(run func(job string)) {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		run(scanner.Text())
		transport.write([]byte("--job\n"))
	}
}
