package main

import (
	"context"
	"encoding/json"
	"regexp" // lab: r=1-2
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
	"golang.org/x/text/currency"
)

type rate struct {
	Mid    float64
	Source string
}

var table = map[string]*rate{
	"EURUSD": {Mid: 1.0841, Source: "ecb"},
	"USDEUR": {Mid: 0.9224, Source: "ecb"},
	"GBPEUR": {Mid: 1.1693, Source: "boe"},
	"CHFEUR": {Mid: 1.0512, Source: "snb"},
}

// basis points per day, newest last
var series = map[string][]int{
	"EURUSD": {10812, 10833, 10841},
	"GBPEUR": {11702, 11693},
}

func listRates(ctx context.Context, raw json.RawMessage) (interface{}, error) {
	return table, nil
}

type convertParams struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Amount string `json:"amount"`
}

// convert turns an amount of one currency into another at the mid rate.
func convert(ctx context.Context, raw json.RawMessage) (interface{}, error) {
	var p convertParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, errors.Wrap(err, "convert: params") // lab: fault=convert-params
	}
	from, err := currency.ParseISO(p.From)
	if err != nil {
		return nil, errors.Wrapf(err, "convert: from %q", p.From) // lab: fault=convert-from
	}
	to, err := currency.ParseISO(p.To)
	if err != nil {
		return nil, errors.Wrapf(err, "convert: to %q", p.To) // lab: fault=convert-to
	}
	amount, err := strconv.ParseFloat(p.Amount, 64) // lab: r=1-2
	amount, err := parseAmount(p.Amount) // lab: r=3
	if err != nil {
		return nil, errors.Wrap(err, "convert: amount") // lab: fault=convert-amount r=1-2
		return nil, err // lab: r=3
	}
	pair := from.String() + to.String() // lab: r=2-3
	mid := table[from.String()+to.String()].Mid // lab: fault=convert-pair r=1
	mid := table[pair].Mid // lab: fault=convert-pair r=2-3
	return map[string]interface{}{"amount": amount * mid, "currency": to.String()}, nil
}

// parseAmount reads a decimal amount, a comma or a point before the cents. // lab: r=3
func parseAmount(text string) (float64, error) { // lab: r=3
	value, err := strconv.ParseFloat(strings.TrimSpace(text), 64) // lab: r=3
	if err != nil { // lab: r=3
		return 0, errors.Wrap(err, "convert: amount") // lab: fault=convert-amount r=3
	} // lab: r=3
	return value, nil // lab: r=3
} // lab: r=3

type historyParams struct {
	Pair string `json:"pair"`
	Days int    `json:"days"`
}

// history is the pair's latest rate spread over the days asked for.
func history(ctx context.Context, raw json.RawMessage) (interface{}, error) {
	var p historyParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, errors.Wrap(err, "history: params") // lab: fault=history-params
	}
	points := series[strings.ToUpper(p.Pair)]
	perDay := points[len(points)-1] / p.Days // lab: fault=history-last r=1-2
	latest := points[len(points)-1] // lab: fault=history-last:index r=3
	perDay := latest / p.Days // lab: fault=history-last:divide r=3
	return map[string]int{"per_day": perDay, "points": len(points)}, nil
}

type formatParams struct {
	Amount  float64 `json:"amount"`
	Pattern string  `json:"pattern"`
	Places  int     `json:"places"`
}

// formatAmount renders an amount, checked against the caller's pattern.
func formatAmount(ctx context.Context, raw json.RawMessage) (interface{}, error) { // lab: move=3:compat.go
	var p formatParams
	json.Unmarshal(raw, &p)
	text := strconv.FormatFloat(p.Amount, 'f', 2, 64)
	text = text + strings.Repeat("0", p.Places-2) // lab: fault=format-places
	if p.Pattern != "" && !regexp.MustCompile(p.Pattern).MatchString(text) { // lab: fault=format-pattern
		return nil, nil
	}
	return text, nil
}

type shiftParams struct {
	Zone string `json:"zone"`
	At   string `json:"at"`
}

// shiftZone gives a timestamp in another zone.
func shiftZone(ctx context.Context, raw json.RawMessage) (interface{}, error) {
	var p shiftParams
	json.Unmarshal(raw, &p)
	zone, err := time.LoadLocation(p.Zone) // lab: r=1
	location, err := time.LoadLocation(p.Zone) // lab: r=2-3
	if err != nil {
		return nil, errors.Wrap(err, "tz: zone") // lab: fault=tz-zone
	}
	at, err := time.Parse(time.RFC3339, p.At)
	if err != nil {
		return nil, errors.Wrap(err, "tz: at") // lab: fault=tz-at
	}
	return at.In(zone).Format(time.RFC3339), nil // lab: r=1
	return at.In(location).Format(time.RFC3339), nil // lab: r=2-3
}
