package main

import "time"

// Address is where a parcel goes.
type Address struct {
	Line1, City, Postcode, Phone, Email string
}

// Account is a customer's billing account.
type Account struct {
	Plan   string
	Credit int
}

// Customer sends parcels; Orders are the amounts of their past shipments, in cents.
type Customer struct {
	ID, Name string
	Account  *Account
	Orders   []int
}

// Depot is a courier base with pickup slots and opening hours.
type Depot struct {
	Code          string
	Slots         []string
	Opens, Closes int
}

// Courier carries parcels from a depot.
type Courier struct {
	ID, Name        string
	Capacity, Load  int
	Depot           *Depot
}

// Event is one tracking scan.
type Event struct {
	Code, Where string
	At          time.Time
}

// Parcel is one shipment.
type Parcel struct {
	ID, Status string
	Sender     *Customer
	Recipient  *Address
	Weight     float64
	Pieces     int
	PieceIDs   []string
	Zone       string
	Priority   int
	Events     []Event
	Labels     map[string]string
}

// Store is the service's state (a database in production).
type Store struct {
	Parcels   map[string]*Parcel
	Customers map[string]*Customer
	Couriers  map[string]*Courier
	Depots    map[string]*Depot
}

var store *Store

// zoneRates are the prices per piece in cents, by weight band of 5 kg.
var zoneRates = map[string][]int{
	"DOMESTIC": {450, 690, 990, 1490},
	"EU":       {1200, 1800, 2600},
	"ISLANDS":  {1600, 2400},
}

// rateCache remembers computed quotes per zone and band.
var rateCache map[string]map[int]int

var planDiscount = map[string]int{"basic": 0, "business": 10, "enterprise": 25}

func resetStore() {
	day := time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)
	d1 := &Depot{Code: "D1", Slots: []string{"A", "B", "C"}, Opens: 8, Closes: 18}
	d2 := &Depot{Code: "D2", Opens: 7, Closes: 20}
	acme := &Customer{ID: "C-1", Name: "Acme", Account: &Account{Plan: "business", Credit: 5000}, Orders: []int{1200, 900, 450}}
	fresh := &Customer{ID: "C-2", Name: "Fresh Start", Account: &Account{Plan: "basic"}}
	walkin := &Customer{ID: "C-3", Name: "Walk-in", Orders: []int{690}}
	store = &Store{
		Parcels: map[string]*Parcel{
			"P-100": {ID: "P-100", Status: "in transit", Sender: acme, Zone: "EU", Weight: 3.5, Pieces: 2,
				PieceIDs: []string{"P-100-1", "P-100-2"}, Labels: map[string]string{},
				Recipient: &Address{Line1: "1 Quay St", City: "Dublin", Postcode: "D01", Email: "ops@example.com"},
				Events:    []Event{{Code: "PICKED_UP", Where: "D1", At: day}, {Code: "IN_TRANSIT", Where: "HUB", At: day.Add(6 * time.Hour)}}},
			"P-200": {ID: "P-200", Status: "label created", Sender: fresh, Zone: "DOMESTIC", Weight: 1, Pieces: 1,
				PieceIDs: []string{"P-200-1"}, Labels: map[string]string{}},
			"P-300": {ID: "P-300", Status: "label created", Sender: acme, Zone: "DOMESTIC", Weight: 12, Pieces: 1,
				Recipient: &Address{Line1: "9 Mill Rd", City: "Leeds", Postcode: "LS1", Email: "jo@example.com"}},
			"P-400": {ID: "P-400", Status: "held", Sender: walkin, Zone: "EU", Weight: 2, Pieces: 0,
				PieceIDs: []string{"P-400-1"}, Labels: map[string]string{},
				Recipient: &Address{Line1: "4 Rue Haute", City: "Lyon", Postcode: "69001", Phone: "+33 4 00 00"}},
			"P-500": {ID: "P-500", Status: "in transit", Sender: walkin, Zone: "DOMESTIC", Weight: 4, Pieces: 1,
				PieceIDs: []string{"P-500-1"}, Labels: map[string]string{},
				Recipient: &Address{Line1: "2 Pier Rd", City: "Hull", Postcode: "HU1"},
				Events:    []Event{{Code: "PICKED_UP", Where: "D2", At: day}}},
		},
		Customers: map[string]*Customer{"C-1": acme, "C-2": fresh, "C-3": walkin},
		Couriers: map[string]*Courier{
			"K-1": {ID: "K-1", Name: "Rosa", Capacity: 40, Load: 12, Depot: d1},
			"K-2": {ID: "K-2", Name: "Tom", Capacity: 30, Load: 3},
			"K-3": {ID: "K-3", Name: "Ines", Capacity: 25, Load: 25, Depot: d2},
		},
		Depots: map[string]*Depot{"D1": d1, "D2": d2},
	}
	rateCache = map[string]map[int]int{"DOMESTIC": {}, "EU": {}}
}
