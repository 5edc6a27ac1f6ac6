package main

import (
	"fmt"
	"strconv"
	"strings"
)

// describeParcel is the parcel as the tracking page shows it. // lab: r=1
// parcelSummary is the parcel as the tracking page and the desk show it. // lab: r=2-4
func describeParcel(id string) map[string]string { // lab: r=1
func parcelSummary(id string) map[string]string { // lab: r=2-4
	p := store.Parcels[id]
	status := p.Status // lab: fault=show-nil
	city := p.Recipient.City // lab: fault=show-recipient
	return map[string]string{"id": id, "status": status, "city": city}
}

// parcelStatus is the parcel's status and latest scan.
func parcelStatus(p *Parcel) (string, Event) {
	last := p.Events[len(p.Events)-1] // lab: fault=last-event r=1
	last := lastEvent(p) // lab: r=2-4
	return p.Status, last
}

// lastEvent is the parcel's latest scan. // lab: r=2-4
func lastEvent(p *Parcel) Event { // lab: r=2-4
	return p.Events[len(p.Events)-1] // lab: fault=last-event r=2-4
} // lab: r=2-4

// renderLabel prints the shipping label of the parcel's first piece.
func renderLabel(p *Parcel, format string) string {
	switch format {
	case "", "zpl":
		return fmt.Sprintf("^XA^FO50,50^FD%s^FS^XZ", p.PieceIDs[0]) // lab: fault=label-pieces
	case "pdf":
		return "%PDF-1.4 " + p.PieceIDs[0]
	default:
		panic(fmt.Sprintf("unsupported label format %q", format)) // lab: fault=label-format r=1-2
		panic(fmt.Sprintf("label: format %q is not supported (zpl, pdf)", format)) // lab: fault=label-format r=3-4
	}
}

// tagParcel sets a free-form label (customer reference, cost centre) on the parcel.
func tagParcel(p *Parcel, key, value string) {
	key = strings.ToLower(strings.TrimSpace(key))
	p.Labels[key] = value // lab: fault=tag-nilmap
}

// newParcel builds a parcel from a booking form: {"id", "weight", "dims": "LxWxH", "priority"}. // lab: r=1-3
// parcelFromJSON builds a parcel from a booking form: {"id", "weight", "dims": "LxWxH", "priority"}. // lab: r=4
func newParcel(fields map[string]interface{}) *Parcel { // lab: r=1-3
func parcelFromJSON(fields map[string]interface{}) *Parcel { // lab: r=4
	id, _ := fields["id"].(string)
	p := &Parcel{ID: id, Status: "label created", Pieces: 1, Labels: map[string]string{}}
	p.Weight = fields["weight"].(float64) // lab: fault=create-weight
	dims := strings.Split(fmt.Sprint(fields["dims"]), "x") // lab: r=1-3
	volume := atoi(dims[0]) * atoi(dims[1]) * atoi(dims[2]) // lab: fault=create-dims r=1-3
	volume := parseDims(fmt.Sprint(fields["dims"])) // lab: r=4
	if volume > 100000 {
		p.Pieces = 2
	}
	if _, ok := fields["priority"]; ok {
		p.Priority = fields["priority"].(int) // lab: fault=create-priority
	}
	return p
}

// parseDims is the volume in cm³ of "LxWxH". // lab: r=4
func parseDims(text string) int { // lab: r=4
	dims := strings.Split(text, "x") // lab: r=4
	return atoi(dims[0]) * atoi(dims[1]) * atoi(dims[2]) // lab: fault=create-dims r=4
} // lab: r=4

func atoi(text string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(text))
	return n
}

// depotSlot is the name of the depot's n-th loading bay.
func depotSlot(code string, n int) string {
	d := store.Depots[code]
	return d.Slots[n] // lab: fault=depot-slot
}
