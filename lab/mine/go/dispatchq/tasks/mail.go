package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/mail"
	"strings"

	"github.com/pkg/errors"
)

type emailTask struct {
	To       string            `json:"to"`
	Subject  string            `json:"subject"`
	Template string            `json:"template"`
	Headers  map[string]string `json:"headers"`
}

var templates = map[string]*struct{ Body string }{"welcome": {"Hello!"}, "reset": nil}

func sendEmail(ctx context.Context, payload []byte) error {
	var task emailTask
	if err := json.Unmarshal(payload, &task); err != nil {
		return fmt.Errorf("email: payload: %w", err)
	}
	to, err := mail.ParseAddress(task.To) // lab: r=1
	to, err := mail.ParseAddress(strings.TrimSpace(task.To)) // lab: r=2-3
	if err != nil {
		return errors.Wrap(err, "email: recipient") // lab: fault=email-to
	}
	body := templates[task.Template].Body // lab: fault=email-template
	task.Headers["To"] = to.Address // lab: fault=email-headers
	fmt.Sprint(strings.ToUpper(task.Subject), body)
	return nil
}

type mediaTask struct {
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

var limits = map[string]int{"image": 5 << 20, "video": 500 << 20}

func classifyMedia(ctx context.Context, payload []byte) error {
	var task mediaTask
	if err := json.Unmarshal(payload, &task); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	mediaType, params, err := mime.ParseMediaType(task.ContentType)
	if err != nil {
		return fmt.Errorf("media: content type %q: %w", task.ContentType, err)
	}
	major := mediaType[:strings.Index(mediaType, "/")] // lab: fault=media-major
	if task.Size > limits[major] {
		return errors.Errorf("media: %s over the %s limit", params["name"], major) // lab: fault=media-limit
	}
	return nil
}
