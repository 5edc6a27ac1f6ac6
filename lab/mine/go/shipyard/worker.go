package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/getsentry/sentry-go"
)

// Message is one dispatch-queue message: a kind and its JSON body.
type Message struct {
	Kind, Body string
}

// worker consumes the dispatch queue on its own goroutine, one message at a time.
type worker struct {
	inbox chan Message
	done  chan struct{}
}

func startWorker() *worker {
	w := &worker{inbox: make(chan Message), done: make(chan struct{})}
	go w.loop()
	return w
}

// submit queues a message and waits until the worker has handled it.
func (w *worker) submit(m Message) {
	w.inbox <- m
	<-w.done
}

func (w *worker) loop() {
	for m := range w.inbox {
		w.handle(m)
	}
}

// handle processes one message on a hub of its own; a panic is reported and the loop goes on.
func (w *worker) handle(m Message) {
	defer func() { w.done <- struct{}{} }()
	hub := sentry.CurrentHub().Clone()
	hub.Scope().SetTag("queue", "dispatch")
	hub.Scope().SetTag("message.kind", m.Kind)
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	defer sentry.RecoverWithContext(ctx)
	if err := process(m); err != nil {
		hub.CaptureException(err) // lab: fault=cap-worker
	}
}

func process(m Message) error {
	var body map[string]interface{}
	if m.Kind != "import" && m.Kind != "notify" {
		if err := json.Unmarshal([]byte(m.Body), &body); err != nil {
			return fmt.Errorf("message %s: %w", m.Kind, err)
		}
	}
	text := func(key string) string { s, _ := body[key].(string); return s }
	switch m.Kind {
	case "create":
		p := newParcel(body) // lab: r=1-3
		p := parcelFromJSON(body) // lab: r=4
		store.Parcels[p.ID] = p
	case "track":
		return recordEvent(store.Parcels[text("parcel")], text("code"), text("where"), text("at"))
	case "assign":
		return assignCourier(text("parcel"), text("courier"))
	case "reprice":
		weight, _ := body["weight"].(float64)
		pieces, _ := body["pieces"].(float64)
		_, err := quote(QuoteRequest{Zone: text("zone"), Weight: weight, Pieces: int(pieces)}) // lab: r=1
		_, err := priceParcel(QuoteRequest{Zone: text("zone"), Weight: weight, Pieces: int(pieces)}) // lab: r=2-4
		return err
	case "tag":
		tagParcel(store.Parcels[text("parcel")], text("key"), text("value"))
	case "notify":
		return notifyParcel(store.Parcels[m.Body])
	case "import":
		_, err := importManifest(m.Body)
		return err
	default:
		return fmt.Errorf("unknown message kind %q", m.Kind)
	}
	return nil
}
