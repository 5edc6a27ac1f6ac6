package main

import (
	"io"
	"net/http"
	"strings"

	sentryhttp "github.com/getsentry/sentry-go/http"
)

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/jobs", createJob)
	mux.HandleFunc("/jobs/", jobRoutes)
	mux.HandleFunc("/v2/jobs/", jobViewV2) // lab: r=4
	mux.HandleFunc("/hooks/", hookRoutes)
	mux.HandleFunc("/backoff", showBackoff)
	mux.HandleFunc("/quiet", showQuiet)
	mux.HandleFunc("/import", importJobs)
	return sentryhttp.New(sentryhttp.Options{}).Handle(mux)
}

// jobRoutes dispatches /jobs/{id}[/{action}].
func jobRoutes(w http.ResponseWriter, r *http.Request) {
	id, action, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/jobs/"), "/")
	switch r.Method + " " + action {
	case "GET ":
		showJob(w, r, id)
	case "POST retry":
		retryJob(w, r, id)
	case "POST run":
		reply(w, map[string]int{"limit": runJob(id)})
	case "POST pause":
		pauseJob(id)
		reply(w, "paused")
	case "POST resume":
		resumeJob(id)
		reply(w, "resumed")
	case "POST owner":
		changeOwner(w, r, id)
	case "POST fire":
		fireHook(w, r, id)
	case "GET budget":
		showBudget(w, r, id)
	case "GET runs":
		reply(w, listRuns(jobs[id], intParam(r, "page"), intParam(r, "size")))
	case "GET next":
		reply(w, nextRun(jobs[id], r.URL.Query().Get("tz")))
	case "PUT payload":
		updatePayload(w, r, id)
	default:
		http.NotFound(w, r)
	}
}

func showJob(w http.ResponseWriter, r *http.Request, id string) {
	reply(w, describeJob(id)) // lab: r=1
	reply(w, jobSummary(id)) // lab: r=2-4
}

// jobViewV2 is GET /v2/jobs/{id}: the summary with its webhooks. // lab: r=4
func jobViewV2(w http.ResponseWriter, r *http.Request) { // lab: r=4
	id := strings.TrimPrefix(r.URL.Path, "/v2/jobs/") // lab: r=4
	view := map[string]interface{}{"job": jobSummary(id)} // lab: r=4
	view["hooks"] = jobs[id].Hooks // lab: r=4
	reply(w, view) // lab: r=4
} // lab: r=4

func retryJob(w http.ResponseWriter, r *http.Request, id string) {
	reply(w, recordRetry(jobs[id], r.URL.Query().Get("hook")))
}

func createJob(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	j, err := addJob(q.Get("name"), q.Get("spec"))
	if err != nil {
		fail(w, r, err)
		return
	}
	reply(w, j)
}

func changeOwner(w http.ResponseWriter, r *http.Request, id string) {
	if err := transferJob(id, r.URL.Query().Get("to")); err != nil {
		fail(w, r, err)
		return
	}
	reply(w, "transferred")
}

func fireHook(w http.ResponseWriter, r *http.Request, id string) {
	if err := fire(jobs[id], intParam(r, "n")); err != nil {
		fail(w, r, err)
		return
	}
	reply(w, "sent")
}

func showBudget(w http.ResponseWriter, r *http.Request, id string) {
	reply(w, splitBudget(jobs[id], intParam(r, "amount"), intParam(r, "slot"))) // lab: r=1-3
	reply(w, allocate(jobs[id], intParam(r, "amount"), intParam(r, "slot"))) // lab: r=4
}

func updatePayload(w http.ResponseWriter, r *http.Request, id string) {
	raw, _ := io.ReadAll(r.Body)
	if err := setPayload(jobs[id], string(raw)); err != nil {
		fail(w, r, err)
		return
	}
	reply(w, "updated")
}

// hookRoutes dispatches /hooks/{name}[/{action}[/{key}]].
func hookRoutes(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/hooks/"), "/")
	switch {
	case r.Method == "GET" && len(parts) == 1:
		reply(w, hookInfo(parts[0]))
	case r.Method == "PUT" && len(parts) == 3 && parts[1] == "headers":
		setHeader(parts[0], parts[2], r.URL.Query().Get("value"))
		reply(w, "set")
	case r.Method == "GET" && len(parts) == 2 && parts[1] == "stats":
		reply(w, map[string]int{"success": successRate(hooks[parts[0]])})
	default:
		http.NotFound(w, r)
	}
}

func showBackoff(w http.ResponseWriter, r *http.Request) {
	reply(w, backoff(intParam(r, "attempt"), intParam(r, "base"), intParam(r, "factor")))
}

func showQuiet(w http.ResponseWriter, r *http.Request) {
	reply(w, quietHours(intParam(r, "day"))) // lab: r=1-3
	reply(w, quietWindow(intParam(r, "day"))) // lab: r=4
}

// importJobs adds one job per line of the body.
func importJobs(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if _, err := importLine(line); err != nil {
			fail(w, r, err)
			return
		}
	}
	reply(w, "imported")
}
