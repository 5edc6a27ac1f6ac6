package main

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/pkg/errors"
)

const day = "2006-01-02"

func dailyReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err := time.Parse(day, q.Get("from"))
	if err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrap(err, "report: from")) // lab: fault=report-from
		return
	}
	to, err := time.Parse(day, q.Get("to"))
	if err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrap(err, "report: to")) // lab: fault=report-to
		return
	}
	zone, err := time.LoadLocation(q.Get("tz"))
	if err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrap(err, "report: zone")) // lab: fault=report-zone
		return
	}
	reply(w, map[string]string{"from": from.In(zone).String(), "to": to.In(zone).String()})
}

// shareReport answers the share of movements that fall in one bucket.
func shareReport(w http.ResponseWriter, r *http.Request) {
	totals := []int{12, 40, 7}
	counts := []int{3, 0, 1}
	bucket, _ := strconv.Atoi(r.URL.Query().Get("bucket"))
	share := totals[bucket] / counts[bucket] // lab: fault=share-bucket
	reply(w, map[string]int{"share": share})
}

func search(w http.ResponseWriter, r *http.Request) {
	pattern := r.URL.Query().Get("q")
	pattern = strings.TrimSpace(pattern) // lab: r=2-3
	re, err := regexp.Compile(pattern)
	if err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrap(err, "search")) // lab: fault=search-regexp
		return
	}
	var hits []string
	for sku, item := range catalog {
		if re.MatchString(item.Name) {
			hits = append(hits, sku)
		}
	}
	reply(w, hits)
}

func listBins(w http.ResponseWriter, r *http.Request) {
	bins := warehouses[strings.ToUpper(mux.Vars(r)["code"])]
	primary := bins[0] // lab: fault=bins-first
	reply(w, map[string]string{"primary": primary})
}
