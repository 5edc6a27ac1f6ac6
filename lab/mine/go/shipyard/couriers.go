package main

import "fmt"

// Hands the parcel to the courier, who must have room left and a depot to load at.
func assignCourier(pid, cid string) error { // lab: move=3:dispatch.go
	p := store.Parcels[pid]
	c := store.Couriers[cid]
	if c.Load >= c.Capacity { // lab: fault=assign-nil
		return &CapacityError{Courier: c.ID, Load: c.Load, Capacity: c.Capacity}
	}
	c.Load++
	p.Status = "assigned to " + c.Name + " at " + c.Depot.Code // lab: fault=assign-depot
	return nil
}

// schedulePickup books the depot's next loading bay for the hour.
func schedulePickup(code string, hour int) (string, error) {
	d := store.Depots[code]
	if hour < d.Opens || hour >= d.Closes {
		return "", fmt.Errorf("pickup at %02d:00: %w", hour, ErrDepotClosed)
	}
	bay := d.Slots[(hour-d.Opens)%len(d.Slots)] // lab: fault=pickup-slot
	return fmt.Sprintf("%s-%02d", bay, hour), nil
}
