package main

import (
	"encoding/json"
	"fmt"
	"strconv" // lab: r=1-3
	"strings"
	"time"
)

// Schedule is when a job runs each day.
type Schedule struct {
	Minute int
	Hour   int
}

// OwnerError says why a job cannot change hands.
type OwnerError struct {
	Job    string
	Reason string
}

func (e *OwnerError) Error() string {
	return "job " + e.Job + ": " + e.Reason
}

// describeJob is what `show` prints and GET /jobs/{id} answers. // lab: r=1
// jobSummary is what `show` prints and GET /jobs/{id} answers. // lab: r=2-4
func describeJob(id string) map[string]string { // lab: r=1
func jobSummary(id string) map[string]string { // lab: r=2-4
	j := jobs[id]
	name := j.Name // lab: fault=job-name
	contact := j.Owner.Email // lab: fault=job-owner
	last := j.Last.At.Format(time.RFC3339) // lab: fault=job-last r=1
	last := lastRun(j) // lab: r=2-4
	return map[string]string{"id": id, "name": name, "owner": contact, "last": last}
}

// lastRun is when the job last ran. // lab: r=2-4
func lastRun(j *Job) string { // lab: r=2-4
	return j.Last.At.Format(time.RFC3339) // lab: fault=job-last r=2-4
} // lab: r=2-4

// recordRetry counts one more retry of the job's delivery to hook.
func recordRetry(j *Job, hook string) int {
	if hook == "" { // lab: r=3-4
		hook = "default" // lab: r=3-4
	} // lab: r=3-4
	j.Retries[hook]++ // lab: fault=retry-map
	return j.Retries[hook]
}

// addJob registers a job under name with a "MINUTE HOUR" spec.
func addJob(name, spec string) (*Job, error) {
	if _, err := parseSpec(spec); err != nil {
		return nil, err
	}
	j := &Job{ID: fmt.Sprintf("J%d", len(jobs)+1), Name: name, Spec: spec, Loaded: true}
	jobs[j.ID] = j
	return j, nil
}

// parseSpec reads "MINUTE HOUR" into a schedule.
func parseSpec(spec string) (Schedule, error) { // lab: move=4:schedule.go
	fields := strings.Fields(spec)
	minute, err := strconv.Atoi(fields[0]) // lab: fault=spec-empty
	if err != nil {
		return Schedule{}, fmt.Errorf("spec %q: minute: %w", spec, err) // lab: r=1-2
		return Schedule{}, fmt.Errorf("invalid schedule %q: bad minute: %w", spec, err) // lab: r=3-4
	}
	hour, err := strconv.Atoi(fields[1]) // lab: fault=spec-hour-missing
	if err != nil {
		return Schedule{}, fmt.Errorf("spec %q: hour: %w", spec, err) // lab: r=1-2
		return Schedule{}, fmt.Errorf("invalid schedule %q: bad hour: %w", spec, err) // lab: r=3-4
	}
	return Schedule{Minute: minute, Hour: hour}, nil
}

// payloadLimit is how many records one run of the job may touch.
func payloadLimit(j *Job) int {
	return j.Payload["limit"].(int) // lab: fault=limit-type r=1
	limit := j.Payload["limit"] // lab: r=2-4
	return limit.(int) // lab: fault=limit-type r=2-4
}

// runJob runs the job now, outside its schedule.
func runJob(id string) int {
	j := jobs[id]
	return payloadLimit(j)
}

// pauseJob stops the scheduler from starting the job.
func pauseJob(id string) {
	j := jobs[id]
	if j == nil || !j.Loaded {
		panic("cronhook: job is not loaded") // lab: fault=pause-unloaded r=1-2
		panic("cronhook: job not loaded; run `cronhook load` first") // lab: fault=pause-unloaded r=3-4
	}
	j.Paused = true
}

// resumeJob lets the scheduler start the job again.
func resumeJob(id string) {
	j := jobs[id]
	if j == nil || !j.Loaded {
		panic("cronhook: job is not loaded") // lab: fault=resume-unloaded r=1-2
		panic("cronhook: job not loaded; run `cronhook load` first") // lab: fault=resume-unloaded r=3-4
	}
	j.Paused = false
}

// transferJob hands the job to another owner.
func transferJob(id, to string) error {
	j := jobs[id]
	if to == "" || !strings.Contains(to, "@") {
		return &OwnerError{Job: id, Reason: "new owner needs an email address"} // lab: r=1-2
		return &OwnerError{Job: id, Reason: "cannot transfer to " + strconv.Quote(to)} // lab: r=3
		return &OwnerError{Job: id, Reason: "cannot transfer to " + fmt.Sprintf("%q", to)} // lab: r=4
	}
	j.Owner = &Owner{Name: to, Email: to}
	return nil
}

// listRuns is one page of the job's run history.
func listRuns(j *Job, page, size int) []Run {
	start := page * size
	return j.Runs[start : start+size] // lab: fault=runs-page
}

// nextRun is when the job runs next, in the caller's time zone.
func nextRun(j *Job, zone string) string {
	loc, _ := time.LoadLocation(zone)
	return clock.In(loc).Format(time.RFC3339) // lab: fault=next-zone
}

// importLine adds a job from "NAME,MINUTE HOUR,OWNER".
func importLine(line string) (*Job, error) {
	cols := strings.Split(line, ",")
	name, spec, owner := cols[0], cols[1], cols[2] // lab: fault=import-cols
	j, err := addJob(name, spec)
	if err != nil {
		return nil, err
	}
	j.Owner = &Owner{Name: owner, Email: owner}
	return j, nil
}

// setPayload replaces what the job is started with.
func setPayload(j *Job, raw string) error {
	var payload map[string]interface{}
	if err := json.Unmarshal([]byte(raw), &payload); err != nil {
		return fmt.Errorf("job %s: payload: %w", j.ID, err)
	}
	j.Payload = payload
	return nil
}

