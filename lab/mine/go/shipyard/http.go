package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
)

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/parcels", createParcelHandler)
	mux.HandleFunc("/parcels/", parcelRoutes)
	mux.HandleFunc("/v2/parcels/", parcelRoutes) // lab: r=4
	mux.HandleFunc("/quotes", quoteHandler)
	mux.HandleFunc("/customers/", statementHandler)
	mux.HandleFunc("/depots/", slotHandler)
	mux.HandleFunc("/imports", importHandler)
	mux.HandleFunc("/pickups", pickupHandler)
	return sentryhttp.New(sentryhttp.Options{}).Handle(mux)
}

// pathParts splits /parcels/ID/ACTION (or /v2/parcels/ID/ACTION) into ID and ACTION.
func pathParts(path string) (string, string) {
	path = strings.TrimPrefix(path, "/v2") // lab: r=4
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 3 {
		return parts[len(parts)-1], ""
	}
	return parts[1], parts[2]
}

func parcelRoutes(w http.ResponseWriter, r *http.Request) {
	id, action := pathParts(r.URL.Path)
	switch action {
	case "":
		writeJSON(w, describeParcel(id)) // lab: r=1
		writeJSON(w, parcelSummary(id)) // lab: r=2-4
	case "status":
		p := store.Parcels[id]
		status, last := parcelStatus(p)
		writeJSON(w, map[string]string{"status": status, "last": last.Code, "where": last.Where})
	case "events":
		var scan struct{ Code, Where, At string }
		if err := json.NewDecoder(r.Body).Decode(&scan); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := recordEvent(store.Parcels[id], scan.Code, scan.Where, scan.At); err != nil {
			fail(w, r, err)
		}
	case "assign":
		if err := assignCourier(id, r.URL.Query().Get("courier")); err != nil {
			fail(w, r, err)
		}
	case "label":
		w.Write([]byte(renderLabel(store.Parcels[id], r.URL.Query().Get("format"))))
	case "labels":
		tagParcel(store.Parcels[id], r.URL.Query().Get("key"), r.URL.Query().Get("value"))
	case "notify":
		if err := notifyParcel(store.Parcels[id]); err != nil {
			fail(w, r, err)
		}
	default:
		http.NotFound(w, r)
	}
}

func createParcelHandler(w http.ResponseWriter, r *http.Request) {
	var fields map[string]interface{}
	if err := json.NewDecoder(r.Body).Decode(&fields); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p := newParcel(fields) // lab: r=1-3
	p := parcelFromJSON(fields) // lab: r=4
	store.Parcels[p.ID] = p
	writeJSON(w, map[string]string{"id": p.ID})
}

func quoteHandler(w http.ResponseWriter, r *http.Request) {
	var req QuoteRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	total, err := quote(req) // lab: r=1
	total, err := priceParcel(req) // lab: r=2-4
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, map[string]int{"total": total})
}

func statementHandler(w http.ResponseWriter, r *http.Request) {
	id, _ := pathParts(r.URL.Path)
	body, err := statement(id)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, body)
}

func slotHandler(w http.ResponseWriter, r *http.Request) {
	code, _ := pathParts(r.URL.Path)
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	writeJSON(w, map[string]string{"slot": depotSlot(code, n)})
}

func importHandler(w http.ResponseWriter, r *http.Request) {
	var text strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		text.Write(buf[:n])
		if err != nil {
			break
		}
	}
	count, err := importManifest(text.String())
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, map[string]int{"imported": count})
}

func pickupHandler(w http.ResponseWriter, r *http.Request) {
	hour, _ := strconv.Atoi(r.URL.Query().Get("hour"))
	slot, err := schedulePickup(r.URL.Query().Get("depot"), hour)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, map[string]string{"slot": slot})
}

func writeJSON(w http.ResponseWriter, body interface{}) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(body)
}

// fail reports err to Sentry and answers with the status its kind maps to.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusUnprocessableEntity
	if errors.Is(err, ErrNotFound) {
		status = http.StatusNotFound
	}
	if hub := sentry.GetHubFromContext(r.Context()); hub != nil {
		hub.CaptureException(err) // lab: fault=cap-http
	}
	http.Error(w, err.Error(), status)
}
