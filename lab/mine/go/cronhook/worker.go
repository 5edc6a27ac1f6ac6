package main

import (
	"context"
	"sync"

	"github.com/getsentry/sentry-go"
)

// task is one queued unit of work and the channel closed once it is handled.
type task struct {
	args []string
	done chan struct{}
}

// pool runs queued tasks on a few goroutines.
type pool struct {
	queue chan task
	wg    sync.WaitGroup
}

func startPool(size int) *pool {
	p := &pool{queue: make(chan task)}
	for i := 0; i < size; i++ {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

func (p *pool) work() {
	defer p.wg.Done()
	for t := range p.queue {
		p.handle(t)
	}
}

// run queues a task and waits for it.
func (p *pool) run(args []string) {
	t := task{args: args, done: make(chan struct{})}
	p.queue <- t
	<-t.done
}

func (p *pool) stop() {
	close(p.queue)
	p.wg.Wait()
}

// handle runs one task with its own hub, so that one task's scope never leaks to another.
func (p *pool) handle(t task) {
	defer close(t.done)
	hub := sentry.CurrentHub().Clone()
	hub.Scope().SetTag("task", arg(t.args, 0))
	ctx := sentry.SetHubOnContext(context.Background(), hub)
	defer sentry.RecoverWithContext(ctx)
	if err := perform(t.args); err != nil {
		hub.CaptureException(err) // lab: fault=capture-worker
	}
}

// perform is the task's work; tasks are queued by the scheduler and by the API.
func perform(args []string) error {
	id := arg(args, 1)
	switch arg(args, 0) {
	case "describe":
		describeJob(id) // lab: r=1
		jobSummary(id) // lab: r=2-4
	case "retry":
		recordRetry(jobs[id], arg(args, 2))
	case "run":
		runJob(id)
	case "resume":
		resumeJob(id)
	case "deliver":
		return fire(jobs[id], num(args, 2))
	case "stats":
		successRate(hooks[id])
	case "audit": // lab: r=4
		hookInfo(id) // lab: r=4
	case "backoff":
		backoff(num(args, 1), num(args, 2), num(args, 3))
	case "next":
		nextRun(jobs[id], arg(args, 2))
	case "import":
		_, err := importLine(arg(args, 1))
		return err
	case "payload":
		return setPayload(jobs[id], arg(args, 2))
	}
	return nil
}

