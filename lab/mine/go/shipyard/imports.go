package main

import (
	"fmt"
	"strconv"
	"strings"
)

const manifestHeader = "id,zone,pieces,weight"

// importManifest loads a carrier manifest: a header line, then one parcel per line.
func importManifest(text string) (int, error) {
	var rows []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) != "" {
			rows = append(rows, strings.TrimSpace(line))
		}
	}
	if header := rows[0]; header != manifestHeader { // lab: fault=import-empty
		return 0, fmt.Errorf("manifest header %q, want %q", header, manifestHeader)
	}
	for n, row := range rows[1:] {
		fields := strings.Split(row, ",")
		weight, err := strconv.ParseFloat(fields[3], 64) // lab: fault=import-fields
		if err != nil {
			return n, &RowError{Line: n + 2, Field: "weight", Err: err}
		}
		pieces, _ := strconv.Atoi(fields[2])
		store.Parcels[fields[0]] = &Parcel{ID: fields[0], Zone: fields[1], Pieces: pieces, Weight: weight}
	}
	return len(rows) - 1, nil
}
