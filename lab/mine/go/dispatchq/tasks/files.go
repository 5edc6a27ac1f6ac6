package tasks

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image/png"
	"path/filepath"
	"strings"

	"github.com/pkg/errors"
)

func thumbnail(ctx context.Context, payload []byte) error {
	data, err := base64.StdEncoding.DecodeString(string(payload))
	if err != nil {
		return fmt.Errorf("thumbnail: %w", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return errors.Wrap(err, "thumbnail: decode") // lab: fault=thumb-decode
	}
	_ = img.Bounds()
	return nil
}

func extractArchive(ctx context.Context, payload []byte) error {
	raw, err := base64.StdEncoding.DecodeString(string(payload))
	if err != nil {
		return fmt.Errorf("extract: base64: %w", err)
	}
	archive, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	first := archive.File[0] // lab: fault=extract-first r=1-2
	_ = first.Name // lab: r=1-2
	names := make([]string, 0, len(archive.File)) // lab: r=3
	for _, file := range archive.File { // lab: r=3
		names = append(names, file.Name) // lab: r=3
	} // lab: r=3
	_ = archive.File[0].Modified // lab: fault=extract-first r=3
	return nil
}

type matchTask struct {
	Pattern string   `json:"pattern"`
	Names   []string `json:"names"`
}

func matchFiles(ctx context.Context, payload []byte) error {
	var task matchTask
	if err := json.Unmarshal(payload, &task); err != nil {
		return errors.Wrap(err, "match: payload") // lab: fault=match-payload
	}
	for _, name := range task.Names {
		if _, err := filepath.Match(task.Pattern, name); err != nil {
			return errors.Wrapf(err, "match: %s", task.Pattern) // lab: fault=match-pattern
		}
	}
	return nil
}

// tokens splits a feed into words; a feed is at most 64 bytes a line.
func tokens(ctx context.Context, payload []byte) error {
	scanner := bufio.NewScanner(bytes.NewReader(payload))
	scanner.Buffer(make([]byte, 16), 64)
	count := 0
	for scanner.Scan() {
		count += len(strings.Fields(scanner.Text()))
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("tokens after %d: %w", count, err)
	}
	return nil
}

type auditHeader struct {
	Version uint16
	Kind    uint16
	Length  uint32
}

func decodeAudit(ctx context.Context, payload []byte) error {
	raw, err := base64.StdEncoding.DecodeString(string(payload))
	if err != nil {
		return errors.Wrap(err, "audit: base64") // lab: fault=audit-base64
	}
	var header auditHeader
	if err := binary.Read(bytes.NewReader(raw), binary.BigEndian, &header); err != nil {
		return fmt.Errorf("audit: header: %w", err)
	}
	body := raw[8 : 8+header.Length] // lab: fault=audit-body
	_ = body
	return nil
}
