package main

import "time"

// Item is one stock-keeping unit.
type Item struct {
	SKU      string
	Name     string
	Price    *Money
	Stock    int
	Tags     map[string]bool
	History  []Movement
	Attrs    map[string]interface{}
	Supplier *Supplier
}

type Money struct {
	Cents    int64
	Currency string
}

type Supplier struct {
	Name    string
	Contact *Contact
}

type Contact struct{ Email string }

type Movement struct {
	At    time.Time
	Delta int
}

var catalog = map[string]*Item{
	"SKU-100": {SKU: "SKU-100", Name: "bolt", Price: &Money{120, "EUR"}, Stock: 40,
		Tags: map[string]bool{"hardware": true}, History: []Movement{{Delta: 40}},
		Attrs: map[string]interface{}{"weight": 0.02}, Supplier: &Supplier{Name: "Acme"}},
	"SKU-200": {SKU: "SKU-200", Name: "gizmo", Stock: 3, History: []Movement{{Delta: 3}},
		Attrs: map[string]interface{}{"weight": "heavy"}},
}

var warehouses = map[string][]string{"AMS": {"A1", "A2"}, "BER": {}}

// find returns the item for sku, or nil.
func find(sku string) *Item {
	return catalog[sku]
}
