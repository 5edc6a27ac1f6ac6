package main

import "fmt" // lab: r=1-2

// QuoteRequest is a price enquiry.
type QuoteRequest struct {
	Zone   string  `json:"zone"`
	Weight float64 `json:"weight"`
	Pieces int     `json:"pieces"`
}

// The price in cents of shipping the pieces to the zone, cached per zone and weight band.
func quote(q QuoteRequest) (int, error) { // lab: r=1 move=3:pricing.go
func priceParcel(q QuoteRequest) (int, error) { // lab: r=2-4
	if q.Weight <= 0 {
		return 0, fmt.Errorf("quote: weight %.1f: %w", q.Weight, ErrInvalidWeight) // lab: r=1-2
		return 0, fmt.Errorf("price: weight must be positive, got %.1f: %w", q.Weight, ErrInvalidWeight) // lab: r=3-4
	}
	rates, ok := zoneRates[q.Zone]
	if !ok {
		return 0, fmt.Errorf("quote: zone %q: %w", q.Zone, ErrUnknownZone) // lab: r=1-2
		return 0, fmt.Errorf("price: zone %q: %w", q.Zone, ErrUnknownZone) // lab: r=3-4
	}
	band := int(q.Weight / 5)
	perPiece := rates[band] / q.Pieces // lab: fault=quote-split
	total := perPiece * q.Pieces
	rateCache[q.Zone][band] = total // lab: fault=quote-cache
	return total, nil
}
