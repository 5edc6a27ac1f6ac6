// A tiny shop that reports its errors with the official sentry-go SDK (Debian's
// golang-github-getsentry-sentry-go-dev), driven by tests/slow/test_go_ruby_sdk.py.
//
// Usage: shop SCENARIO [MARKER or INPUT]; the DSN comes from FAULTLINE_DSN.
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/pkg/errors"
)

type cart struct{ items []int }

// averagePrice divides by the number of items: an empty cart panics.
func averagePrice(c cart) int {
	total := 0
	for _, price := range c.items {
		total += price
	}
	return total / len(c.items)
}

func checkout(c cart) int {
	return averagePrice(c)
}

// planOf indexes a nil map's result: a missing customer panics with a nil dereference.
func planOf(plans map[string]*string, customer string) string {
	return *plans[customer]
}

// allowlist parses one CIDR entry; pkg/errors wraps net's error, whose text carries the input.
func allowlist(entry string) error {
	if _, _, err := net.ParseCIDR(entry); err != nil {
		return errors.Wrap(err, "allowlist")
	}
	return nil
}

// decodePayload decodes a JSON body; fmt's %w wraps encoding/json's error (a syntax error or a
// mistyped field, two bugs of one site).
func decodePayload(body string) error {
	var payload struct{ To string }
	if err := json.Unmarshal([]byte(body), &payload); err != nil {
		return fmt.Errorf("email: payload: %w", err)
	}
	return nil
}

// recovered runs f and reports its panic through the SDK, as sentry.Recover does.
func recovered(f func()) {
	defer func() {
		if err := recover(); err != nil {
			sentry.CurrentHub().Recover(err)
		}
	}()
	f()
}

func main() {
	err := sentry.Init(sentry.ClientOptions{
		Dsn:         os.Getenv("FAULTLINE_DSN"),
		Release:     "shop-go@1.0.0",
		Environment: "test",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sentry.Init:", err)
		os.Exit(2)
	}
	scenario := os.Args[1]
	switch scenario {
	case "divide":
		recovered(func() { checkout(cart{}) })
	case "nil":
		recovered(func() { planOf(map[string]*string{}, "grace") })
	case "cidr":
		sentry.CaptureException(allowlist(os.Args[2]))
	case "payload":
		sentry.CaptureException(decodePayload(os.Args[2]))
	case "message":
		sentry.CaptureMessage("Go shop started " + os.Args[2])
	default:
		fmt.Fprintln(os.Stderr, "unknown scenario", scenario)
		os.Exit(2)
	}
	if !sentry.Flush(30 * time.Second) {
		fmt.Fprintln(os.Stderr, "events not delivered in time")
		os.Exit(1)
	}
	fmt.Println("sent", scenario)
}
