package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/pkg/errors"
	"github.com/shopspring/decimal"
)

func showItem(w http.ResponseWriter, r *http.Request) {
	item := find(mux.Vars(r)["sku"])
	reply(w, map[string]interface{}{
		"sku":      item.SKU, // lab: fault=show-missing
		"name":     item.Name, // lab: r=2-3
		"price":    item.Price.Cents, // lab: fault=show-price r=1-2
		"price":    priceOf(item), // lab: r=3
		"supplier": item.Supplier.Contact.Email, // lab: fault=show-contact
	})
}

// priceOf is the item's price in cents. // lab: r=3
func priceOf(item *Item) int64 { // lab: r=3
	return item.Price.Cents // lab: fault=show-price r=3
} // lab: r=3

func adjustStock(w http.ResponseWriter, r *http.Request) {
	sku := mux.Vars(r)["sku"]
	if err := adjust(sku, r.URL.Query().Get("qty"), r.URL.Query().Get("limit")); err != nil {
		fail(w, r, http.StatusBadRequest, err)
		return
	}
	reply(w, find(sku))
}

func legacyAdjust(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := adjust(q.Get("sku"), q.Get("qty"), q.Get("limit")); err != nil {
		fail(w, r, http.StatusBadRequest, err)
	}
}

// adjust moves stock by qty, refusing to go over limit.
func adjust(sku, qty, limit string) error {
	delta, err := strconv.Atoi(qty) // lab: r=1-2
	delta, err := strconv.Atoi(strings.TrimSpace(qty)) // lab: r=3
	if err != nil {
		return errors.Wrap(err, "adjust: quantity") // lab: fault=adjust-qty
	}
	max, err := strconv.Atoi(limit) // lab: r=1
	ceiling, err := strconv.Atoi(limit) // lab: r=2-3
	if err != nil {
		return errors.Wrap(err, "adjust: limit") // lab: fault=adjust-limit
	}
	item := find(sku)
	if item.Stock+delta > max { // lab: fault=adjust-nil r=1
	if item.Stock+delta > ceiling { // lab: fault=adjust-nil r=2-3
		return errors.Errorf("adjust: %s would exceed %d", sku, max) // lab: r=1
		return errors.Errorf("adjust: %s would exceed %d", sku, ceiling) // lab: r=2-3
	}
	item.Stock += delta
	return nil
}

type newItem struct {
	SKU   string  `json:"sku"`
	Name  string  `json:"name"`
	Stock int     `json:"stock"`
	Price float64 `json:"price"`
}

func createItem(w http.ResponseWriter, r *http.Request) {
	var req newItem
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, r, http.StatusBadRequest, errors.WithStack(err)) // lab: fault=create-decode
		return
	}
	catalog[req.SKU].Name = req.Name // lab: fault=create-exists
	reply(w, req)
}

func tagItem(w http.ResponseWriter, r *http.Request) {
	vars := mux.Vars(r)
	item := find(vars["sku"])
	item.Tags[vars["tag"]] = true // lab: fault=tag-nilmap
	reply(w, item.Tags)
}

func itemHistory(w http.ResponseWriter, r *http.Request) {
	item := find(mux.Vars(r)["sku"])
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrapf(err, "history page")) // lab: fault=history-page
		return
	}
	reply(w, item.History[page*10:]) // lab: fault=history-slice
}

func setPrice(w http.ResponseWriter, r *http.Request) {
	amount, err := decimal.NewFromString(r.URL.Query().Get("amount"))
	if err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrap(err, "price")) // lab: fault=price-decimal
		return
	}
	item := find(mux.Vars(r)["sku"])
	item.Price.Cents = amount.Shift(2).IntPart() // lab: fault=price-nil
	reply(w, item.Price)
}

func barcode(w http.ResponseWriter, r *http.Request) {
	sku := strings.ToUpper(mux.Vars(r)["sku"])
	code, err := strconv.ParseUint(sku[4:], 10, 32) // lab: fault=barcode-short
	if err != nil {
		fail(w, r, http.StatusBadRequest, errors.Wrap(err, "barcode")) // lab: fault=barcode-parse
		return
	}
	reply(w, map[string]uint64{"ean": 4006381000000 + code})
}

func shippingWeight(w http.ResponseWriter, r *http.Request) { // lab: move=3:shipping.go
	item := find(mux.Vars(r)["sku"])
	boxes, _ := strconv.Atoi(r.URL.Query().Get("boxes"))
	weight := item.Attrs["weight"].(float64) // lab: fault=weight-assert
	reply(w, map[string]float64{"kg": weight * float64(boxes)})
}
