// Package billing holds invoices and the arithmetic on them.
package billing

import (
	"math/big"
	"strings"
	"time"

	"github.com/pkg/errors"
)

type Line struct {
	SKU      string `json:"sku" binding:"required"`
	Quantity int    `json:"quantity" binding:"required,min=1"`
	Cents    int64  `json:"cents" binding:"gte=0"`
}

type Invoice struct {
	ID       string
	Customer string
	Currency string
	Lines    []Line
	Due      time.Time
	Meta     map[string]string
	Payer    *Payer
}

type Payer struct {
	Name    string
	Account *Account
}

type Account struct{ IBAN string }

var Invoices = map[string]*Invoice{
	"INV-1": {ID: "INV-1", Customer: "acme", Currency: "EUR",
		Lines: []Line{{"bolt", 10, 120}, {"nut", 0, 5}}, Meta: map[string]string{},
		Payer: &Payer{Name: "Acme"}},
	"INV-2": {ID: "INV-2", Customer: "globex", Currency: "USD", Lines: nil},
}

// Total sums the lines in cents.
func Total(inv *Invoice) int64 {
	var total int64
	for _, line := range inv.Lines { // lab: fault=total-nil
		total += line.Cents * int64(line.Quantity)
	}
	return total
}

// UnitPrice is the average price per item of the invoice.
func UnitPrice(inv *Invoice) int64 {
	items := 0
	// Lines without a quantity count as no items. // lab: r=2-3
	for _, line := range inv.Lines {
		items += line.Quantity
	}
	return Total(inv) / int64(items) // lab: fault=unit-zero
}

// Rate parses an exchange rate such as "1.0842" or "217/200".
func Rate(text string) (*big.Rat, error) {
	rate, ok := new(big.Rat).SetString(strings.TrimSpace(text))
	if !ok {
		return nil, errors.Errorf("billing: bad rate %q", text) // lab: fault=fx-rate
	}
	return rate, nil
}

// Convert converts cents at rate, rounding down.
func Convert(cents int64, rate *big.Rat) int64 {
	amount := new(big.Rat).Mul(big.NewRat(cents, 1), rate)
	return new(big.Int).Quo(amount.Num(), amount.Denom()).Int64()
}

// Split divides the invoice total into parts instalments.
func Split(inv *Invoice, parts int) []int64 {
	share := Total(inv) / int64(parts) // lab: fault=split-zero r=1
	total := Total(inv) // lab: r=2-3
	share := total / int64(parts) // lab: fault=split-zero r=2-3
	out := make([]int64, parts) // lab: fault=split-negative
	for i := range out {
		out[i] = share
	}
	return out
}
