package main

import (
	"fmt"
	"time"
)

var eventCodes = map[string]bool{"PICKED_UP": true, "IN_TRANSIT": true, "OUT_FOR_DELIVERY": true, "DELIVERED": true}

// recordEvent appends a scan to the parcel's history.
func recordEvent(p *Parcel, code, where, at string) error {
	if !eventCodes[code] {
		return fmt.Errorf("parcel %s: %w", p.ID, &TrackingError{Code: code})
	}
	when, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return fmt.Errorf("parcel %s: scan time: %w", p.ID, err)
	}
	p.Events = append(p.Events, Event{Code: code, Where: where, At: when})
	p.Status = code
	return nil
}

// Tells the recipient where the parcel is, by e-mail or text message.
func notifyParcel(p *Parcel) error { // lab: move=4:notify.go
	_, last := parcelStatus(p)
	if p.Recipient.Email == "" && p.Recipient.Phone == "" {
		return &NotifyError{Parcel: p.ID, Reason: "recipient has no e-mail or phone"}
	}
	outbox = append(outbox, p.ID+": "+last.Code)
	return nil
}

var outbox []string
