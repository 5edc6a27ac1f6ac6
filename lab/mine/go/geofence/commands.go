package main

import (
	"crypto/x509" // lab: r=1-2
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/errors"
	"golang.org/x/crypto/bcrypt"
	"gopkg.in/yaml.v3"
)

type verb func(s *session, args []string) (string, error)

var verbs = map[string]verb{
	"HELLO": hello,
	"AUTH":  auth,
	"FENCE": fence,
	"CHECK": check,
	"TOKEN": token,
	"CERT":  cert,
	"ZONE":  zone,
	"CONF":  conf,
	"STATS": stats,
}

type circle struct {
	Owner  *owner
	Lat    float64
	Lng    float64
	Meters int
}

type owner struct {
	Team  string
	Quota map[string]int
}

var fences = map[string]*circle{
	"depot":   {Owner: &owner{Team: "ops", Quota: map[string]int{"alerts": 10}}, Lat: 52.52, Lng: 13.40, Meters: 500},
	"harbour": {Owner: &owner{Team: "logistics"}, Lat: 53.54, Lng: 9.98, Meters: 1200},
	"office":  {Lat: 48.13, Lng: 11.58, Meters: 150},
}

var passwords = map[string][]byte{}

func init() {
	hash, _ := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	passwords["ada"] = hash
}

// hello records the client's name and protocol version (MAJOR.MINOR.PATCH).
func hello(s *session, args []string) (string, error) {
	s.client = args[0] // lab: fault=hello-args
	parts := strings.Split(args[1], ".") // lab: fault=hello-varg r=1
	fields := strings.Split(strings.TrimPrefix(args[1], "v"), ".") // lab: fault=hello-varg r=2-3
	for i := 0; i < 3; i++ {
		n, err := strconv.Atoi(parts[i]) // lab: fault=hello-version r=1
		n, err := strconv.Atoi(fields[i]) // lab: fault=hello-version r=2-3
		if err != nil {
			return "", errors.Wrapf(err, "hello: version part %d", i) // lab: fault=hello-number
		}
		s.version[i] = n
	}
	return "WELCOME " + s.client, nil
}

// auth checks a user's password.
func auth(s *session, args []string) (string, error) {
	if err := bcrypt.CompareHashAndPassword(passwords[args[0]], []byte(args[1])); err != nil {
		return "", errors.Wrap(err, "auth") // lab: fault=auth-compare
	}
	return "AUTHENTICATED", nil
}

// fence adds (FENCE ADD name lat,lng radius[m]) or drops (FENCE DROP name) a fence.
func fence(s *session, args []string) (string, error) {
	if args[0] == "DROP" {
		team := fences[args[1]].Owner.Team // lab: fault=fence-drop-owner
		fences[args[1]].Owner.Quota["drops"]++ // lab: fault=fence-drop-quota
		return "DROPPED by " + team, nil
	}
	coords := strings.Split(args[2], ",")
	lat, err := strconv.ParseFloat(coords[0], 64)
	if err != nil {
		return "", errors.Wrap(err, "fence: latitude") // lab: fault=fence-lat
	}
	lng, err := strconv.ParseFloat(coords[1], 64) // lab: fault=fence-coords
	if err != nil {
		return "", errors.Wrap(err, "fence: longitude") // lab: fault=fence-lng
	}
	meters, err := strconv.Atoi(strings.TrimSuffix(args[3], "m")) // lab: r=1-2
	meters, err := radius(args[3]) // lab: r=3
	if err != nil {
		return "", errors.Wrap(err, "fence: radius") // lab: fault=fence-radius r=1-2
		return "", err // lab: r=3
	}
	added := &circle{Lat: lat, Lng: lng, Meters: meters}
	return fmt.Sprintf("ADDED %s %.4f,%.4f %dm", args[1], added.Lat, added.Lng, added.Meters), nil
}

// radius reads "500m" or "2km" as meters. // lab: r=3
func radius(text string) (int, error) { // lab: r=3
	scale := 1 // lab: r=3
	if strings.HasSuffix(text, "km") { // lab: r=3
		text, scale = strings.TrimSuffix(text, "km"), 1000 // lab: r=3
	} // lab: r=3
	meters, err := strconv.Atoi(strings.TrimSuffix(text, "m")) // lab: r=3
	if err != nil { // lab: r=3
		return 0, errors.Wrap(err, "fence: radius") // lab: fault=fence-radius r=3
	} // lab: r=3
	return meters * scale, nil // lab: r=3
} // lab: r=3

// check lists the fences a point lies in, and their share of all fences of the owner's team.
func check(s *session, args []string) (string, error) {
	var lat, lng float64
	if _, err := fmt.Sscanf(args[0], "%f,%f", &lat, &lng); err != nil {
		return "", errors.WithStack(err) // lab: fault=check-point
	}
	var inside []string
	for name, c := range fences {
		if distance(lat, lng, c.Lat, c.Lng) <= float64(c.Meters) {
			inside = append(inside, name+"@"+c.Owner.Team) // lab: fault=check-owner
		}
	}
	return strings.Join(inside, ","), nil
}

func distance(lat1, lng1, lat2, lng2 float64) float64 {
	const earth = 6371000.0
	dLat, dLng := (lat2-lat1)*math.Pi/180, (lng2-lng1)*math.Pi/180
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*math.Pi/180)*math.Cos(lat2*math.Pi/180)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earth * math.Asin(math.Sqrt(a))
}

// token reads a session token: base64url JSON claims with an expiry.
func token(s *session, args []string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(args[0])
	if err != nil {
		return "", errors.Wrap(err, "token: encoding") // lab: fault=token-b64
	}
	var claims map[string]interface{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		return "", errors.Wrap(err, "token: claims") // lab: fault=token-json
	}
	expires := time.Unix(int64(claims["exp"].(float64)), 0) // lab: fault=token-exp
	return "VALID UNTIL " + expires.UTC().Format(time.RFC3339), nil
}

// cert checks a client certificate sent as base64 DER.
func cert(s *session, args []string) (string, error) { // lab: move=3:certs.go
	der, err := base64.StdEncoding.DecodeString(args[0])
	if err != nil {
		return "", errors.Wrap(err, "cert: encoding") // lab: fault=cert-b64
	}
	parsed, err := x509.ParseCertificate(der) // lab: r=1
	certificate, err := x509.ParseCertificate(der) // lab: r=2-3
	if err != nil {
		return "", errors.Wrap(err, "cert: parse") // lab: fault=cert-parse
	}
	return parsed.Subject.CommonName, nil // lab: r=1
	return certificate.Subject.CommonName, nil // lab: r=2-3
}

var zones = map[netip.Prefix]*struct{ Name string }{
	netip.MustParsePrefix("10.0.0.0/8"):     {Name: "internal"},
	netip.MustParsePrefix("192.168.0.0/16"): {Name: "office"},
}

// zone names the network zone of a prefix.
func zone(s *session, args []string) (string, error) {
	prefix, err := netip.ParsePrefix(args[0])
	if err != nil {
		return "", errors.Wrap(err, "zone") // lab: fault=zone-parse
	}
	return zones[prefix.Masked()].Name, nil // lab: fault=zone-missing
}

type settings struct {
	Precision int            `yaml:"precision"`
	Units     string         `yaml:"units"`
	Limits    map[string]int `yaml:"limits"`
}

// conf applies settings given as a YAML flow mapping: {precision: 6, units: m}.
func conf(s *session, args []string) (string, error) {
	var cfg settings
	if err := yaml.Unmarshal([]byte(strings.Join(args, " ")), &cfg); err != nil {
		return "", errors.Wrap(err, "conf") // lab: fault=conf-yaml
	}
	cfg.Limits["sessions"] = 64 // lab: fault=conf-limits
	return fmt.Sprintf("PRECISION %d", cfg.Precision), nil
}

var started = time.Now().Add(-90 * time.Minute)

// stats gives fences per window of uptime (STATS 15m).
func stats(s *session, args []string) (string, error) {
	window, err := time.ParseDuration(args[0])
	if err != nil {
		return "", fmt.Errorf("stats: window: %w", err)
	}
	windows := int(time.Since(started) / window)
	return strconv.Itoa(len(fences) / windows), nil // lab: fault=stats-rate
}
