package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/pkg/errors"
)

type batch struct {
	Items   []map[string]interface{} `json:"items"`
	Workers int                      `json:"workers"`
}

func syncBatch(ctx context.Context, payload []byte) error {
	var task batch
	if err := json.Unmarshal(payload, &task); err != nil {
		return errors.WithStack(err) // lab: fault=sync-payload
	}
	perWorker := len(task.Items) / task.Workers // lab: fault=sync-workers
	for _, item := range task.Items {
		version := item["version"].(float64) // lab: fault=sync-version
		_ = version
	}
	_ = perWorker
	return nil
}

type mergeTask struct {
	From string `json:"from"`
	Into string `json:"into"`
}

type account struct {
	ID      string
	Profile *struct{ Email string }
	Groups  map[string]bool
}

var _, _ = strconv.Itoa, fmt.Sprint

var accounts = map[string]*account{
	"u1": {ID: "u1", Profile: &struct{ Email string }{"ada@example.org"}, Groups: map[string]bool{}},
	"u2": {ID: "u2"},
}

func mergeUsers(ctx context.Context, payload []byte) error {
	var task mergeTask
	if err := json.Unmarshal(payload, &task); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	from, into := accounts[task.From], accounts[task.Into]
	email := from.Profile.Email // lab: fault=merge-profile
	into.Groups[email] = true // lab: fault=merge-groups
	return nil
}

func checkQuota(ctx context.Context, payload []byte) error { // lab: move=3:tasks/quota.go
	var limits map[string]string
	if err := json.Unmarshal(payload, &limits); err != nil {
		return fmt.Errorf("quota: %w", err)
	}
	used, err := strconv.ParseUint(limits["used"], 10, 32)
	if err != nil {
		return errors.Wrap(err, "quota: used") // lab: fault=quota-used
	}
	max, err := strconv.ParseUint(limits["max"], 10, 32)
	if err != nil {
		return errors.Wrap(err, "quota: max") // lab: fault=quota-max
	}
	if used*100/max > 90 { // lab: fault=quota-ratio
		return errors.Errorf("quota: %d of %d used", used, max) // lab: fault=quota-over
	}
	return nil
}
