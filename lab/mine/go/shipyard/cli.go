package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/getsentry/sentry-go"
)

// runCLI is `shipyard ARGS...`, the operations desk's command line: errors and panics are
// reported to Sentry before the command exits.
func runCLI(args []string) {
	defer sentry.Recover()
	if err := command(args); err != nil {
		sentry.CaptureException(err) // lab: fault=cap-cli
		fmt.Fprintln(os.Stderr, "shipyard:", err)
	}
}

func command(args []string) error {
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	switch arg(0) {
	case "show":
		fmt.Println(describeParcel(arg(1))) // lab: r=1
		fmt.Println(parcelSummary(arg(1))) // lab: r=2-4
	case "slot":
		n, _ := strconv.Atoi(arg(2))
		fmt.Println(depotSlot(arg(1), n))
	case "label":
		fmt.Println(renderLabel(store.Parcels[arg(1)], strings.TrimPrefix(arg(2), "--format=")))
	case "import":
		count, err := importManifest(arg(1))
		if err != nil {
			return err
		}
		fmt.Println("imported", count)
	case "quote":
		weight, _ := strconv.ParseFloat(arg(2), 64)
		pieces, _ := strconv.Atoi(arg(3))
		total, err := quote(QuoteRequest{Zone: arg(1), Weight: weight, Pieces: pieces}) // lab: r=1
		total, err := priceParcel(QuoteRequest{Zone: arg(1), Weight: weight, Pieces: pieces}) // lab: r=2-4
		if err != nil {
			return err
		}
		fmt.Println(total)
	case "statement":
		body, err := statement(arg(1))
		if err != nil {
			return err
		}
		fmt.Println(body)
	case "assign":
		return assignCourier(arg(1), arg(2))
	case "pickup":
		hour, _ := strconv.Atoi(arg(2))
		slot, err := schedulePickup(arg(1), hour)
		if err != nil {
			return err
		}
		fmt.Println(slot)
	case "track": // lab: r=4
		return recordEvent(store.Parcels[arg(1)], arg(2), arg(3), arg(4)) // lab: r=4
	default:
		return fmt.Errorf("unknown command %q", arg(0))
	}
	return nil
}
