package main

import (
	"errors"
	"fmt"
)

// Sentinel errors the handlers map to status codes.
var (
	ErrNotFound      = errors.New("not found")
	ErrInvalidWeight = errors.New("invalid weight")
	ErrUnknownZone   = errors.New("unknown zone")
	ErrDepotClosed   = errors.New("depot closed") // lab: r=1-2
	ErrDepotClosed   = errors.New("depot is closed at that hour") // lab: r=3-4
)

// CapacityError is returned when a courier cannot take another parcel.
type CapacityError struct {
	Courier        string
	Load, Capacity int
}

func (e *CapacityError) Error() string {
	return fmt.Sprintf("courier %s is full (%d/%d)", e.Courier, e.Load, e.Capacity) // lab: r=1-2
	return fmt.Sprintf("courier %s at capacity: %d of %d parcels", e.Courier, e.Load, e.Capacity) // lab: r=3-4
}

// TrackingError is a scan the tracking history cannot accept.
type TrackingError struct {
	Code string
}

func (e *TrackingError) Error() string {
	return fmt.Sprintf("unknown event code %q", e.Code)
}

// RowError is a manifest row that does not parse.
type RowError struct {
	Line  int
	Field string
	Err   error
}

func (e *RowError) Error() string {
	return fmt.Sprintf("manifest line %d: %s: %v", e.Line, e.Field, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }

// NotifyError is a notification that could not be sent.
type NotifyError struct {
	Parcel, Reason string
}

func (e *NotifyError) Error() string {
	return "notify " + e.Parcel + ": " + e.Reason
}
