package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/blang/semver"
	"github.com/gin-gonic/gin"
	"github.com/gorhill/cronexpr"
	"github.com/pelletier/go-toml/v2"
	"github.com/pkg/errors"

	"github.com/acmecorp/invoicer/billing"
)

var minimumClient = semver.MustParse("2.4.0")

var _, _, _ = cronexpr.Parse, strings.TrimPrefix, time.Now

func clientCompat(c *gin.Context) { // lab: move=3:compat.go
	version, err := semver.Parse(strings.TrimPrefix(c.Query("version"), "v"))
	if err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "client version")) // lab: fault=client-version
		return
	}
	c.JSON(http.StatusOK, gin.H{"supported": version.GTE(minimumClient)})
}

func renderInvoice(c *gin.Context) {
	inv := billing.Invoices[c.Param("id")]
	body, _ := io.ReadAll(c.Request.Body)
	tmpl, err := template.New("invoice").Parse(string(body))
	if err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "render: parse")) // lab: fault=render-parse
		return
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, inv); err != nil {
		report(c, http.StatusUnprocessableEntity, errors.Wrap(err, "render: execute")) // lab: fault=render-exec
		return
	}
	c.String(http.StatusOK, out.String())
}

type xmlInvoice struct {
	XMLName  xml.Name `xml:"invoice"`
	Customer string   `xml:"customer"`
	Amount   int64    `xml:"amount"`
	Lines    []struct {
		SKU string `xml:"sku,attr"`
		Qty int    `xml:"qty,attr"`
	} `xml:"line"`
}

func importXML(c *gin.Context) {
	var doc xmlInvoice
	if err := xml.NewDecoder(c.Request.Body).Decode(&doc); err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "import xml")) // lab: fault=import-xml
		return
	}
	first := doc.Lines[0] // lab: fault=import-lines
	c.JSON(http.StatusOK, gin.H{"customer": doc.Customer, "first": first.SKU})
}

type settings struct {
	Currency string            `toml:"currency"`
	DueDays  int               `toml:"due_days"`
	Rounding map[string]string `toml:"rounding"`
}

var current settings

func loadSettings(c *gin.Context) {
	var next settings
	body, _ := io.ReadAll(c.Request.Body)
	if err := toml.Unmarshal(body, &next); err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "settings")) // lab: fault=settings-toml
		return
	}
	mode := next.Rounding["mode"]
	places, _ := strconv.Atoi(next.Rounding["places"])
	current = next
	c.JSON(http.StatusOK, gin.H{"mode": mode[:4], "places": places}) // lab: fault=settings-mode
}

func convert(c *gin.Context) {
	rate, err := billing.Rate(c.Query("rate"))
	if err != nil {
		report(c, http.StatusBadRequest, err)
		return
	}
	cents, err := strconv.ParseInt(c.Query("cents"), 10, 64)
	if err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "fx: cents")) // lab: fault=fx-cents
		return
	}
	c.JSON(http.StatusOK, gin.H{"cents": billing.Convert(cents, rate)})
}

var discounts = map[string]*regexp.Regexp{}

func createDiscount(c *gin.Context) {
	var req map[string]interface{}
	if err := c.ShouldBindJSON(&req); err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "discount")) // lab: fault=discount-bind
		return
	}
	code := req["code"].(string) // lab: fault=discount-code
	discounts[code] = regexp.MustCompile(req["pattern"].(string)) // lab: fault=discount-pattern
	c.JSON(http.StatusCreated, gin.H{"code": code})
}

func nextRun(c *gin.Context) { // lab: move=3:compat.go
	expr, err := cronexpr.Parse(c.Query("cron"))
	if err != nil {
		report(c, http.StatusBadRequest, errors.Wrap(err, "schedule")) // lab: fault=schedule-cron
		return
	}
	c.JSON(http.StatusOK, gin.H{"next": expr.Next(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))})
}
