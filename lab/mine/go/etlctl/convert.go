package main

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"strconv"
	"strings"

	"github.com/go-errors/errors"
	"gopkg.in/yaml.v3"
)

// csvToJSON turns CSV rows into JSON objects keyed by the header row.
func csvToJSON(args []string, in io.Reader, out io.Writer) error {
	flags := flag.NewFlagSet("csv2json", flag.ContinueOnError)
	delimiter := flags.String("delimiter", ",", "field separator")
	numeric := flags.Int("numeric", -1, "column parsed as a number")
	flags.Parse(args)
	reader := csv.NewReader(in)
	reader.Comma = []rune(*delimiter)[0] // lab: fault=csv-delimiter
	reader.TrimLeadingSpace = true // lab: r=2-3
	rows, err := reader.ReadAll()
	if err != nil {
		return errors.WrapPrefix(err, "csv2json: read", 0) // lab: fault=csv-read
	}
	header := rows[0] // lab: fault=csv-empty
	var objects []map[string]interface{}
	for _, row := range rows[1:] {
		object := map[string]interface{}{}
		for i, name := range header {
			object[name] = row[i]
		}
		if *numeric >= 0 {
			value, err := strconv.ParseFloat(row[*numeric], 64) // lab: fault=csv-numeric-column
			if err != nil {
				return errors.WrapPrefix(err, "csv2json: numeric", 0) // lab: fault=csv-numeric
			}
			object[header[*numeric]] = value
		}
		objects = append(objects, object)
	}
	return json.NewEncoder(out).Encode(objects)
}

// jsonToCSV writes a JSON array of objects as CSV, the "id" column first.
func jsonToCSV(args []string, in io.Reader, out io.Writer) error {
	var records []map[string]interface{}
	if err := json.NewDecoder(in).Decode(&records); err != nil {
		return errors.WrapPrefix(err, "json2csv", 0) // lab: fault=json-decode
	}
	writer := csv.NewWriter(out)
	for _, record := range records {
		id := record["id"].(string) // lab: fault=json-id
		writer.Write([]string{id, strings.TrimSpace(record["name"].(string))}) // lab: fault=json-name
	}
	writer.Flush()
	return writer.Error()
}

type feed struct {
	Title   string `xml:"title"`
	Entries []struct {
		ID      string `xml:"id"`
		Updated string `xml:"updated"`
		Rank    int    `xml:"rank"`
	} `xml:"entry"`
}

// xmlQuery prints the title of an Atom-like feed, or of its Nth entry.
func xmlQuery(args []string, in io.Reader, out io.Writer) error {
	var doc feed // lab: r=1-2
	doc := feed{} // lab: r=3
	if err := xml.NewDecoder(in).Decode(&doc); err != nil {
		return errors.WrapPrefix(err, "xmlq", 0) // lab: fault=xml-decode
	}
	if len(args) > 0 {
		n, _ := strconv.Atoi(args[0])
		_, err := io.WriteString(out, doc.Entries[n].ID) // lab: fault=xml-entry
		return err
	}
	_, err := io.WriteString(out, doc.Title)
	return err
}

// yamlToJSON converts one YAML document to JSON.
func yamlToJSON(args []string, in io.Reader, out io.Writer) error {
	var doc map[string]interface{}
	if err := yaml.NewDecoder(in).Decode(&doc); err != nil {
		return errors.WrapPrefix(err, "yaml2json: decode", 0) // lab: fault=yaml-decode
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return errors.WrapPrefix(err, "yaml2json: encode", 0) // lab: fault=yaml-encode
	}
	_, err = out.Write(body)
	return err
}
