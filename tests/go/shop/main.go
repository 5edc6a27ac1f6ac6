// A tiny shop that reports its errors with the official sentry-go SDK (Debian's
// golang-github-getsentry-sentry-go-dev), driven by tests/slow/test_go_ruby_sdk.py.
//
// Usage: shop SCENARIO [MARKER]; the DSN comes from FAULTLINE_DSN.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/getsentry/sentry-go"
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
