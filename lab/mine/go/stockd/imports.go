package main

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt"
	"github.com/pkg/errors"
	"gopkg.in/yaml.v3"
)

// importCSV reads "sku,name,stock,price" rows into the catalog.
func importCSV(w http.ResponseWriter, r *http.Request) {
	reader := csv.NewReader(r.Body)
	reader.FieldsPerRecord = 4
	records, err := reader.ReadAll()
	if err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrap(err, "import")) // lab: fault=import-csv
		return
	}
	for _, rec := range records {
		if err := importRow(rec); err != nil {
			fail(w, r, http.StatusUnprocessableEntity, err)
			return
		}
	}
	reply(w, len(records))
}

func importRow(rec []string) error {
	stock, err := strconv.Atoi(rec[2])
	if err != nil {
		return errors.Wrapf(err, "import %s: stock", rec[0]) // lab: fault=import-stock
	}
	price, err := strconv.ParseFloat(rec[3], 64)
	if err != nil {
		return errors.Wrapf(err, "import %s: price", rec[0]) // lab: fault=import-price
	}
	catalog[rec[0]] = &Item{SKU: rec[0], Name: rec[1], Stock: stock,
		Price: &Money{Cents: int64(price * 100), Currency: "EUR"}}
	return nil
}

type webhook struct {
	Callback string `yaml:"callback"`
	Events   []string `yaml:"events"`
	Retries  int `yaml:"retries"`
}

func registerWebhook(w http.ResponseWriter, r *http.Request) {
	var hook webhook
	body, _ := io.ReadAll(r.Body)
	if err := yaml.Unmarshal(body, &hook); err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrap(err, "webhook")) // lab: fault=webhook-yaml
		return
	}
	target, err := url.Parse(hook.Callback)
	if err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrap(err, "webhook callback")) // lab: fault=webhook-url
		return
	}
	reply(w, map[string]string{"host": target.Host, "first": hook.Events[0]}) // lab: fault=webhook-events
}

type settings struct {
	LowStock int               `yaml:"low_stock"`
	Currency string            `yaml:"currency"`
	Aliases  map[string]string `yaml:"aliases"`
}

var current = settings{Aliases: map[string]string{"blt": "bolt"}}

func reloadConfig(w http.ResponseWriter, r *http.Request) {
	var next settings
	if err := yaml.NewDecoder(r.Body).Decode(&next); err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrap(err, "config")) // lab: fault=config-decode
		return
	}
	for from, to := range current.Aliases {
		next.Aliases[from] = to // lab: fault=config-aliases
	}
	current = next
	reply(w, current)
}

var signingKey = []byte("stockd-secret")

// authenticate checks the token query parameter on write requests.
func authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token := r.URL.Query().Get("token"); token != "" {
			_, err := jwt.Parse(strings.TrimPrefix(token, "Bearer "), func(*jwt.Token) (interface{}, error) {
				return signingKey, nil
			})
			if err != nil {
				fail(w, r, http.StatusUnauthorized, errors.Wrap(err, "token")) // lab: fault=auth-token
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
