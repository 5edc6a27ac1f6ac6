package main

import (
	"context"
	"encoding/json"
	"net/mail"
	"time"

	"github.com/pkg/errors"
	"golang.org/x/text/language"
)

type account struct {
	Email  string
	Limits map[string]int
	Flags  map[string]bool
}

var accounts = map[string]*account{
	"ada@example.com":   {Email: "ada@example.com", Limits: map[string]int{"daily": 5000}, Flags: map[string]bool{}},
	"grace@example.com": {Email: "grace@example.com", Limits: map[string]int{"daily": 200}},
}

type accountParams struct {
	Email string `json:"email"`
	Flag  string `json:"flag"`
}

// lookupAccount answers an account's daily limit.
func lookupAccount(ctx context.Context, raw json.RawMessage) (interface{}, error) {
	var p accountParams
	json.Unmarshal(raw, &p)
	addr, err := mail.ParseAddress(p.Email)
	if err != nil {
		return nil, errors.Wrap(err, "accounts: email") // lab: fault=account-email
	}
	found := accounts[addr.Address] // lab: r=2-3
	daily := accounts[addr.Address].Limits["daily"] // lab: fault=account-missing r=1
	daily := found.Limits["daily"] // lab: fault=account-missing r=2-3
	return map[string]int{"daily": daily}, nil
}

// flagAccount sets a flag on an account.
func flagAccount(ctx context.Context, raw json.RawMessage) (interface{}, error) {
	var p accountParams
	json.Unmarshal(raw, &p)
	acct := accounts[p.Email]
	if acct == nil { // lab: r=2-3
		return nil, errors.Errorf("accounts: no account %s", p.Email) // lab: r=2-3
	} // lab: r=2-3
	acct.Flags[p.Flag] = true // lab: fault=account-flag
	return acct.Flags, nil
}

type quoteLine struct {
	SKU   string  `json:"sku"`
	Qty   int     `json:"qty"`
	Price float64 `json:"price"`
}

type quoteParams struct {
	Lines   []quoteLine `json:"lines"`
	Expires string      `json:"expires"`
	Locale  string      `json:"locale"`
}

// createQuote prices a quote in the caller's language, valid until it expires.
func createQuote(ctx context.Context, raw json.RawMessage) (interface{}, error) {
	var p quoteParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, errors.Wrap(err, "quotes: params") // lab: fault=quote-params
	}
	expires, err := time.Parse("2006-01-02", p.Expires)
	if err != nil {
		return nil, errors.Wrap(err, "quotes: expires") // lab: fault=quote-expiry
	}
	tag, err := language.Parse(p.Locale)
	if err != nil {
		return nil, errors.Wrapf(err, "quotes: locale %s", p.Locale) // lab: fault=quote-locale
	}
	first := p.Lines[0] // lab: fault=quote-lines
	total := 0.0
	for _, line := range p.Lines {
		total += float64(line.Qty) * line.Price
	}
	return map[string]interface{}{"first": first.SKU, "total": total, "locale": tag.String(),
		"expires": expires.Format(time.RFC1123)}, nil
}
