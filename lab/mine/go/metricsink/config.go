package main

import (
	"encoding/json" // lab: r=1-2
	"fmt"
	"regexp" // lab: r=1-2
	"time"

	"github.com/go-errors/errors"
	"github.com/pelletier/go-toml/v2"
	"github.com/valyala/fasthttp"
	"golang.org/x/text/encoding/htmlindex"
	"gopkg.in/yaml.v2"
)

type config struct {
	Retention string            `yaml:"retention" toml:"retention"`
	Shards    int               `yaml:"shards" toml:"shards"`
	Labels    map[string]string `yaml:"labels" toml:"labels"`
}

var current = config{Retention: "720h", Shards: 4}

// reloadConfig replaces the running config with the body (YAML, or TOML with ?format=toml).
func reloadConfig(ctx *fasthttp.RequestCtx) {
	var cfg config
	if string(ctx.QueryArgs().Peek("format")) == "toml" {
		if err := toml.Unmarshal(ctx.PostBody(), &cfg); err != nil {
			fail(ctx, errors.WrapPrefix(err, "config: toml", 0)) // lab: fault=config-toml
			return
		}
	} else if err := yaml.Unmarshal(ctx.PostBody(), &cfg); err != nil {
		fail(ctx, errors.WrapPrefix(err, "config: yaml", 0)) // lab: fault=config-yaml
		return
	}
	keep, err := time.ParseDuration(cfg.Retention) // lab: r=1
	retention, err := time.ParseDuration(cfg.Retention) // lab: r=2-3
	if err != nil {
		fail(ctx, errors.WrapPrefix(err, "config: retention", 0)) // lab: fault=config-retention
		return
	}
	cfg.Labels["reloaded"] = time.Now().UTC().Format(time.RFC3339) // lab: fault=config-labels
	current = cfg
	reply(ctx, map[string]string{"retention": keep.String()}) // lab: r=1
	reply(ctx, map[string]string{"retention": retention.String()}) // lab: r=2-3
}

// query answers a metric's point count per rollup window, its name in the caller's charset.
func query(ctx *fasthttp.RequestCtx) {
	args := ctx.QueryArgs()
	window, err := time.ParseDuration(string(args.Peek("window")))
	if err != nil {
		fail(ctx, fmt.Errorf("query: window: %w", err))
		return
	}
	charset, err := htmlindex.Get(string(args.Peek("charset"))) // lab: r=1-2
	enc, err := htmlindex.Get(string(args.Peek("charset"))) // lab: r=3
	if err != nil {
		fail(ctx, fmt.Errorf("query: charset: %w", err))
		return
	}
	metric := string(args.Peek("metric"))
	count := 0
	for _, p := range buckets[0] {
		if p.Name == metric {
			count++
		}
	}
	perWindow := count / int(window/time.Minute) // lab: fault=query-window
	name, _ := charset.NewEncoder().String(metric) // lab: r=1-2
	name, _ := enc.NewEncoder().String(metric) // lab: r=3
	reply(ctx, map[string]interface{}{"metric": name, "per_window": perWindow})
}

type alert struct {
	Metric string            `json:"metric"`
	Above  float64           `json:"above"`
	For    string            `json:"for"`
	Match  string            `json:"match"`
	Labels map[string]string `json:"labels"`
}

var alerts []alert

// createAlert adds an alert rule: a metric, a threshold, series matched by a pattern.
func createAlert(ctx *fasthttp.RequestCtx) { // lab: move=3:alerts.go
	var rule alert
	if err := json.Unmarshal(ctx.PostBody(), &rule); err != nil {
		fail(ctx, errors.Wrap(err, 0)) // lab: fault=alert-decode
		return
	}
	if _, err := regexp.Compile(rule.Match); err != nil {
		fail(ctx, errors.WrapPrefix(err, "alert: match", 0)) // lab: fault=alert-match
		return
	}
	rule.Labels["source"] = "api" // lab: fault=alert-labels
	alerts = append(alerts, rule)
	reply(ctx, map[string]int{"alerts": len(alerts)})
}
