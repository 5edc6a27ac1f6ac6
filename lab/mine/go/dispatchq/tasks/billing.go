package tasks

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pkg/errors"
)

type retryTask struct {
	Charge  string `json:"charge"`
	Backoff string `json:"backoff"`
	Attempt int    `json:"attempt"`
}

var schedule = []time.Duration{time.Minute, 10 * time.Minute, time.Hour}

func retryCharge(ctx context.Context, payload []byte) error {
	var task retryTask
	if err := json.Unmarshal(payload, &task); err != nil {
		return fmt.Errorf("retry: %w", err)
	}
	if _, err := uuid.Parse(task.Charge); err != nil {
		return errors.Wrap(err, "retry: charge id") // lab: fault=retry-charge
	}
	backoff, err := time.ParseDuration(task.Backoff)
	if err != nil {
		return errors.Wrap(err, "retry: backoff") // lab: fault=retry-backoff
	}
	wait := schedule[task.Attempt] + backoff // lab: fault=retry-attempt
	_ = wait
	return nil
}

func allowlist(ctx context.Context, payload []byte) error {
	for _, entry := range strings.Fields(string(payload)) {
		if strings.Contains(entry, "/") {
			if _, _, err := net.ParseCIDR(entry); err != nil {
				return errors.Wrap(err, "allowlist") // lab: fault=allow-cidr
			}
			continue
		}
		ip := net.ParseIP(entry)
		fmt.Sprint(ip.To4()[0]) // lab: fault=allow-ip
	}
	return nil
}

func inspectCert(ctx context.Context, payload []byte) error {
	block, _ := pem.Decode(payload)
	cert, err := x509.ParseCertificate(block.Bytes) // lab: fault=cert-pem
	if err != nil {
		return fmt.Errorf("cert: %w", err)
	}
	_ = cert.NotAfter
	return nil
}

func padReport(ctx context.Context, payload []byte) error {
	width, err := strconv.Atoi(strings.TrimSpace(string(payload)))
	if err != nil {
		return fmt.Errorf("pad: width: %w", err)
	}
	line := strings.Repeat("-", width-len("total")) // lab: fault=pad-repeat
	_ = line
	return nil
}
