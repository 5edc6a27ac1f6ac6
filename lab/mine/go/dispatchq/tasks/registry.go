// Package tasks holds the background tasks, by the name a queue message gives.
package tasks

import "context"

// Handler runs one task from its JSON payload.
type Handler func(ctx context.Context, payload []byte) error

var Registry = map[string]Handler{
	"email.send":      sendEmail,
	"image.thumbnail": thumbnail,
	"archive.extract": extractArchive,
	"net.allowlist":   allowlist,
	"media.classify":  classifyMedia,
	"files.match":     matchFiles,
	"feed.tokens":     tokens,
	"billing.retry":   retryCharge,
	"report.pad":      padReport,
	"sync.batch":      syncBatch,
	"cert.inspect":    inspectCert,
	"audit.decode":    decodeAudit,
	"user.merge":      mergeUsers,
	"quota.check":     checkQuota,
}
