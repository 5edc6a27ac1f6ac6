// Package sentry stands in for sentry-go with the legacy client, raven-go (Debian's
// golang-github-getsentry-raven-go-dev, 0.2.0): the calls tests/go/shop makes, answered by
// raven-go, so the same shop reports through either client (tests/slow/test_raven_sdks.py
// builds it with this folder first on GOPATH). raven-go posts each event to the store
// endpoint with sentry_version 4, a body over 1 KB as base64 of a zlib stream, exceptions
// under `exception` and frames marked in-app by package `main`.
package sentry

import (
	"errors"
	"fmt"
	"time"

	raven "github.com/getsentry/raven-go"
)

// ClientOptions holds the options the shop sets.
type ClientOptions struct {
	Dsn         string
	Release     string
	Environment string
}

// EventID is an event's id.
type EventID string

// Hub is the one client.
type Hub struct{}

// Init configures raven's default client.
func Init(options ClientOptions) error {
	if err := raven.SetDSN(options.Dsn); err != nil {
		return err
	}
	raven.SetRelease(options.Release)
	raven.SetEnvironment(options.Environment)
	return nil
}

// CurrentHub returns the hub.
func CurrentHub() *Hub { return &Hub{} }

// Recover reports a recovered panic's value with the stack of the deferred call, as
// raven.CapturePanicAndWait does (its frames from the panic down).
func (*Hub) Recover(value interface{}) *EventID {
	err, ok := value.(error)
	if !ok {
		err = errors.New(fmt.Sprint(value))
	}
	packet := raven.NewPacket(err.Error(),
		raven.NewException(err, raven.NewStacktrace(1, 3, nil)))
	id, ch := raven.Capture(packet, nil)
	if id != "" {
		<-ch
	}
	event := EventID(id)
	return &event
}

// CaptureException reports an error and waits until it is sent.
func CaptureException(err error) *EventID {
	event := EventID(raven.CaptureErrorAndWait(err, nil))
	return &event
}

// CaptureMessage reports a message and waits until it is sent.
func CaptureMessage(message string) *EventID {
	event := EventID(raven.CaptureMessageAndWait(message, nil))
	return &event
}

// Flush returns at once: every capture above waited for its send.
func Flush(time.Duration) bool { return true }
