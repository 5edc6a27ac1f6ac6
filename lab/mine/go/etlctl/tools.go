package main

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/blang/semver"
	"github.com/go-errors/errors"
	"github.com/gorhill/cronexpr"
	"github.com/pelletier/go-toml/v2"
)

// render executes the template given as the first argument over JSON from stdin.
func render(args []string, in io.Reader, out io.Writer) error {
	var data map[string]interface{}
	if err := json.NewDecoder(in).Decode(&data); err != nil {
		return errors.WrapPrefix(err, "render: data", 0) // lab: fault=render-data
	}
	tmpl, err := template.New("out").Option("missingkey=error").Parse(args[0])
	if err != nil {
		return errors.WrapPrefix(err, "render: parse", 0) // lab: fault=render-parse
	}
	if err := tmpl.Execute(out, data); err != nil {
		return errors.WrapPrefix(err, "render: execute", 0) // lab: fault=render-exec
	}
	return nil
}

func base64Decode(args []string, in io.Reader, out io.Writer) error { // lab: move=3:encode.go
	text, _ := io.ReadAll(in)
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if err != nil {
		return errors.WrapPrefix(err, "b64", 0) // lab: fault=b64-decode
	}
	_, err = out.Write(decoded)
	return err
}

func gunzip(args []string, in io.Reader, out io.Writer) error {
	reader, err := gzip.NewReader(in)
	if err != nil {
		return errors.WrapPrefix(err, "gunzip", 0) // lab: fault=gunzip-header
	}
	_, err = io.Copy(out, reader)
	return err
}

var _, _, _ = base64.StdEncoding, hex.EncodeToString, sha256.New

var hashes = map[string]func() hash.Hash{"md5": md5.New, "sha256": sha256.New}

func hashInput(args []string, in io.Reader, out io.Writer) error { // lab: move=3:encode.go
	h := hashes[strings.ToLower(args[0])]() // lab: fault=hash-algo
	io.Copy(h, in)
	_, err := io.WriteString(out, hex.EncodeToString(h.Sum(nil)))
	return err
}

// stats prints the mean of one column of whitespace-separated integers.
func stats(args []string, in io.Reader, out io.Writer) error {
	column, err := strconv.Atoi(args[0]) // lab: r=1
	column, err := strconv.Atoi(strings.TrimPrefix(args[0], "#")) // lab: r=2-3
	if err != nil {
		return errors.WrapPrefix(err, "stats: column", 0) // lab: fault=stats-column
	}
	text, _ := io.ReadAll(in)
	sum, count := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		fields := strings.Fields(line)
		value, err := strconv.Atoi(fields[column]) // lab: fault=stats-field
		if err != nil {
			return errors.WrapPrefix(err, "stats: value", 0) // lab: fault=stats-value
		}
		sum += value
		count++
	}
	_, err = io.WriteString(out, strconv.Itoa(sum/count))
	return err
}

// dates rewrites dates from one layout to RFC 3339 in a zone.
func dates(args []string, in io.Reader, out io.Writer) error {
	zone, err := time.LoadLocation(args[1])
	if err != nil {
		return errors.WrapPrefix(err, "dates: zone", 0) // lab: fault=dates-zone
	}
	text, _ := io.ReadAll(in)
	for _, line := range strings.Fields(string(text)) {
		line = strings.TrimSuffix(line, ",") // lab: r=2-3
		at, err := time.ParseInLocation(args[0], line, zone)
		if err != nil {
			return errors.WrapPrefix(err, "dates: parse", 0) // lab: fault=dates-parse
		}
		io.WriteString(out, at.Format(time.RFC3339)+"\n")
	}
	return nil
}

// urls prints the host and the "id" query parameter of each URL.
func urls(args []string, in io.Reader, out io.Writer) error {
	text, _ := io.ReadAll(in)
	for _, line := range strings.Fields(string(text)) {
		u, err := url.Parse(line)
		if err != nil {
			return errors.WrapPrefix(err, "urls: parse", 0) // lab: fault=urls-parse
		}
		query, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return errors.WrapPrefix(err, "urls: query", 0) // lab: fault=urls-query
		}
		io.WriteString(out, u.Host+" "+query["id"][0]+"\n") // lab: fault=urls-id
	}
	return nil
}

func tomlGet(args []string, in io.Reader, out io.Writer) error {
	var doc map[string]interface{}
	body, _ := io.ReadAll(in)
	if err := toml.Unmarshal(body, &doc); err != nil {
		return errors.WrapPrefix(err, "toml", 0) // lab: fault=toml-decode
	}
	section := doc[args[0]].(map[string]interface{}) // lab: fault=toml-section
	_, err := io.WriteString(out, section[args[1]].(string)) // lab: fault=toml-key
	return err
}

// ints checks that every number fits a signed byte.
func ints(args []string, in io.Reader, out io.Writer) error {
	text, _ := io.ReadAll(in)
	for _, field := range strings.Fields(string(text)) {
		if _, err := strconv.ParseInt(field, 10, 8); err != nil {
			return errors.WrapPrefix(err, "ints", 0) // lab: fault=ints-parse
		}
	}
	return nil
}

// chunk splits stdin into N parts of equal length.
func chunk(args []string, in io.Reader, out io.Writer) error {
	parts, _ := strconv.Atoi(args[0])
	body, _ := io.ReadAll(in)
	size := len(body) / parts // lab: fault=chunk-size
	for start := 0; start < len(body); start += size {
		out.Write(bytes.ToUpper(body[start:min(start+size, len(body))]))
		out.Write([]byte("\n"))
	}
	return nil
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func cronNext(args []string, in io.Reader, out io.Writer) error {
	expr := cronexpr.MustParse(args[0]) // lab: fault=cron-parse
	_, err := io.WriteString(out, expr.Next(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)).String())
	return err
}

// bump prints the next minor version.
func bump(args []string, in io.Reader, out io.Writer) error {
	version, err := semver.Make(strings.TrimPrefix(args[0], "v"))
	if err != nil {
		return errors.WrapPrefix(err, "bump", 0) // lab: fault=bump-parse
	}
	version.Minor++
	version.Patch = 0
	_, err = io.WriteString(out, version.String())
	return err
}
