package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// DeliveryError is a webhook endpoint's refusal.
type DeliveryError struct {
	Hook   string
	Status int
}

func (e *DeliveryError) Error() string {
	return fmt.Sprintf("deliver %s: endpoint answered %d", e.Hook, e.Status) // lab: r=1-3
	return fmt.Sprintf("webhook %s returned HTTP %d", e.Hook, e.Status) // lab: r=4
}

// resolve lists the job's webhooks; a name no longer registered stays as its name (the
// pre-1.2 format) so that it can still be reported.
func resolve(j *Job) []interface{} {
	targets := make([]interface{}, 0, len(j.Hooks))
	for _, name := range j.Hooks {
		if h, ok := hooks[name]; ok {
			targets = append(targets, h)
		} else {
			targets = append(targets, name)
		}
	}
	return targets
}

// fire delivers the job's n-th webhook.
func fire(j *Job, n int) error {
	targets := resolve(j)
	hook := targets[n].(*Hook) // lab: fault=target
	return deliver(hook, j)
}

// deliver posts the job's payload to the hook, signed with its secret. The endpoints are
// simulated: a URL with status=CODE answers CODE.
func deliver(h *Hook, j *Job) error {
	body, err := json.Marshal(j.Payload)
	if err != nil {
		return err
	}
	if signature := sign(h.Secret, body); signature == "" {
		return fmt.Errorf("deliver %s: cannot sign", h.Name)
	}
	if at := strings.Index(h.URL, "status="); at >= 0 {
		code, _ := strconv.Atoi(h.URL[at+len("status="):])
		return &DeliveryError{Hook: h.Name, Status: code}
	}
	h.Sent++
	h.OK++
	return nil
}

// sign is the hex HMAC-SHA256 of body with secret.
func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// splitBudget is the share of a retry budget that slot's webhook gets, by weight. // lab: r=1-3
// allocate is the share of a retry budget that slot's webhook gets, by weight. // lab: r=4
func splitBudget(j *Job, budget, slot int) int { // lab: r=1-3
func allocate(j *Job, budget, slot int) int { // lab: r=4
	weights := make([]int, 0, len(j.Hooks)) // lab: r=1
	shares := make([]int, 0, len(j.Hooks)) // lab: r=2-4
	for _, name := range j.Hooks {
		if h, ok := hooks[name]; ok {
			weights = append(weights, h.Weight) // lab: r=1
			shares = append(shares, h.Weight) // lab: r=2-4
		}
	}
	return budget / weights[slot] // lab: fault=split r=1
	return budget / shares[slot] // lab: fault=split r=2-4
}

// hookInfo is what `hook NAME` prints: the endpoint, its masked secret, its first event.
func hookInfo(name string) map[string]string {
	h := hooks[name]
	masked := h.Secret[:4] + "..." // lab: fault=hook-secret r=1-2
	masked := mask(h) // lab: r=3-4
	first := h.Events[0] // lab: fault=hook-events
	return map[string]string{"url": h.URL, "secret": masked, "first_event": first}
}

// mask hides all but the first characters of the hook's secret. // lab: r=3-4
func mask(h *Hook) string { // lab: r=3-4
	return h.Secret[:4] + "..." // lab: fault=hook-secret r=3-4
} // lab: r=3-4

// setHeader adds a header sent with every delivery to the hook.
func setHeader(name, key, value string) { // lab: move=3:delivery.go
	h := hooks[name]
	h.Headers[key] = value // lab: fault=header-map
}

// successRate is the percentage of deliveries the hook accepted.
func successRate(h *Hook) int { // lab: move=3:delivery.go
	return h.OK * 100 / h.Sent // lab: fault=rate-zero
}

// backoff is how many seconds to wait before retry attempt: base doubles every factor tries.
func backoff(attempt, base, factor int) int {
	steps := attempt / factor // lab: fault=backoff-zero
	return base << steps // lab: fault=backoff-shift
}

// quietHours is the window in which no webhook is sent on day (0 is Monday). // lab: r=1-3
// quietWindow is the window in which no webhook is sent on day (0 is Monday). // lab: r=4
func quietHours(day int) string { // lab: r=1-3
func quietWindow(day int) string { // lab: r=4
	windows := []string{"22-06", "22-06", "22-06", "22-06", "23-08"}
	return windows[day] // lab: fault=quiet-day
}
