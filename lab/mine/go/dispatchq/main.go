// Command dispatchq runs background tasks from a queue on a pool of worker goroutines; each
// task's panic is recovered with sentry-go on the task's own hub, and a task's returned error
// is reported where the worker sees it. The harness feeds it one queue message per job.
package main

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getsentry/sentry-go"

	"lab.local/harness"

	"github.com/acmecorp/dispatchq/tasks"
)

type message struct {
	kind    string
	payload string
	done    chan struct{}
}

type pool struct {
	queue chan message
	wg    sync.WaitGroup
}

func newPool(size int) *pool {
	p := &pool{queue: make(chan message)}
	for i := 0; i < size; i++ {
		p.wg.Add(1)
		go p.work(i)
	}
	return p
}

func (p *pool) work(id int) {
	defer p.wg.Done()
	for msg := range p.queue {
		p.process(id, msg)
	}
}

// process runs one message with its own hub, so that one task's scope never leaks to another.
func (p *pool) process(worker int, msg message) {
	defer close(msg.done)
	hub := sentry.CurrentHub().Clone()
	hub.Scope().SetTag("task", msg.kind)
	hub.Scope().SetTag("worker", strconv.Itoa(worker)) // lab: r=2-3
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	defer sentry.RecoverWithContext(ctx)
	handler, ok := tasks.Registry[msg.kind]
	if !ok {
		return
	}
	if err := handler(ctx, []byte(msg.payload)); err != nil {
		hub.CaptureException(err) // lab: fault=capture
	}
}

var _ = strconv.Itoa

func main() {
	harness.Init()
	p := newPool(4)
	harness.Jobs(func(job string) {
		kind, payload, _ := strings.Cut(job, " ")
		msg := message{kind: kind, payload: strings.ReplaceAll(payload, `\n`, "\n"),
			done: make(chan struct{})}
		p.queue <- msg
		<-msg.done
	})
	close(p.queue)
	p.wg.Wait()
	sentry.Flush(2 * time.Second)
}
