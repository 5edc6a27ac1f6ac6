package main

import (
	"context"
	"crypto/hmac" // lab: r=1-2
	"crypto/sha256" // lab: r=1-2
	"encoding/base64" // lab: r=1-2
	"encoding/hex" // lab: r=1-2
	"encoding/json"
	"strings"

	"github.com/pkg/errors"
	"golang.org/x/net/idna"
)

var hookSecret = []byte("whsec-ratesrpc")

type hookParams struct {
	Payload   string `json:"payload"`
	Signature string `json:"signature"`
}

// verifyHook checks a webhook's HMAC-SHA256 signature over its base64 payload.
func verifyHook(ctx context.Context, raw json.RawMessage) (interface{}, error) { // lab: move=3:compat.go
	var p hookParams
	json.Unmarshal(raw, &p)
	signature, err := hex.DecodeString(p.Signature) // lab: r=1
	sig, err := hex.DecodeString(strings.TrimSpace(p.Signature)) // lab: r=2-3
	if err != nil {
		return nil, errors.Wrap(err, "hooks: signature") // lab: fault=verify-hex
	}
	body, err := base64.StdEncoding.DecodeString(p.Payload)
	if err != nil {
		return nil, errors.Wrap(err, "hooks: payload") // lab: fault=verify-payload
	}
	mac := hmac.New(sha256.New, hookSecret)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), signature) { // lab: r=1
	if !hmac.Equal(mac.Sum(nil), sig) { // lab: r=2-3
		return nil, errors.New("hooks: signature mismatch") // lab: fault=verify-mismatch
	}
	return true, nil
}

type hostParams struct {
	Host string `json:"host"`
}

// normalizeHost gives a host's ASCII form and its registrable label.
func normalizeHost(ctx context.Context, raw json.RawMessage) (interface{}, error) {
	var p hostParams
	json.Unmarshal(raw, &p)
	ascii, err := idna.Lookup.ToASCII(p.Host)
	if err != nil {
		return nil, errors.Wrap(err, "hosts: idna") // lab: fault=host-idna
	}
	labels := strings.Split(ascii, ".")
	return map[string]string{"ascii": ascii, "label": labels[len(labels)-2]}, nil // lab: fault=host-label
}

type sumParams struct {
	Values []interface{} `json:"values"`
}

// sumValues adds numbers, starting from the first.
func sumValues(ctx context.Context, raw json.RawMessage) (interface{}, error) {
	var p sumParams
	json.Unmarshal(raw, &p)
	total := p.Values[0].(float64) // lab: fault=sum-first
	for _, v := range p.Values[1:] {
		total += v.(float64) // lab: fault=sum-assert
	}
	return total, nil
}
