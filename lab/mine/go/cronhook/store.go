package main

import (
	"time"
)

// Owner is who hears about a job that keeps failing.
type Owner struct {
	Name  string
	Email string
}

// Run is one execution of a job.
type Run struct {
	At     time.Time
	Status string
}

// Job is a scheduled unit of work and the webhooks told about it.
type Job struct {
	ID      string
	Name    string
	Spec    string
	Owner   *Owner
	Hooks   []string
	Retries map[string]int
	Payload map[string]interface{}
	Last    *Run
	Runs    []Run
	Loaded  bool
	Paused  bool
}

// Hook is a webhook subscriber and its delivery counters.
type Hook struct {
	Name    string
	URL     string
	Secret  string
	Headers map[string]string
	Weight  int
	Events  []string
	Sent    int
	OK      int
}

// clock is the scheduler's notion of now (the tests pin it).
var clock = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

func history(count int) []Run {
	runs := make([]Run, count)
	for i := range runs {
		runs[i] = Run{At: clock.Add(-time.Duration(i) * time.Hour), Status: "ok"}
	}
	return runs
}

var jobs = map[string]*Job{
	"J1": {ID: "J1", Name: "nightly-report", Spec: "30 2", Owner: &Owner{"ada", "ada@acme.test"},
		Hooks: []string{"slack", "audit", "legacy-email"}, Retries: map[string]int{},
		Payload: map[string]interface{}{"limit": 50, "format": "csv"},
		Last:    &Run{At: clock.Add(-10 * time.Hour), Status: "ok"}, Runs: history(12), Loaded: true},
	"J2": {ID: "J2", Name: "cleanup", Spec: "0 4", Hooks: []string{"audit"},
		Payload: map[string]interface{}{"limit": "fifty"},
		Last:    &Run{At: clock.Add(-8 * time.Hour), Status: "failed"}, Runs: history(3)},
	"J3": {ID: "J3", Name: "billing-sync", Spec: "15 1", Owner: &Owner{"grace", "grace@acme.test"},
		Retries: map[string]int{}, Loaded: true},
	"J4": {ID: "J4", Name: "invoice-push", Spec: "0 9", Owner: &Owner{"linus", "linus@acme.test"},
		Hooks: []string{"pager", "slack"}, Retries: map[string]int{},
		Payload: map[string]interface{}{"limit": 10}, Runs: history(2), Loaded: true},
}

var hooks = map[string]*Hook{
	"slack": {Name: "slack", URL: "https://hooks.slack.example/T1", Secret: "xoxb-secret-1",
		Headers: map[string]string{"X-Team": "ops"}, Weight: 2,
		Events: []string{"job.failed", "job.done"}, Sent: 40, OK: 38},
	"audit": {Name: "audit", URL: "https://audit.example/in", Weight: 0,
		Events: []string{"job.done"}, Sent: 10, OK: 10},
	"pager": {Name: "pager", URL: "https://pager.example/v2?status=503", Secret: "pg-secret-77",
		Headers: map[string]string{}, Weight: 1},
}
