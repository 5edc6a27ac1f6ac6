// Command etlctl converts and checks data files on the command line: CSV, JSON, XML, YAML,
// TOML, templates, dates, URLs. Input comes on stdin; failures go to Sentry (sentry-go) before
// the exit status says so.
package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/getsentry/sentry-go"

	"lab.local/harness"
)

type command func(args []string, in io.Reader, out io.Writer) error

var commands = map[string]command{
	"csv2json":  csvToJSON,
	"json2csv":  jsonToCSV,
	"xmlq":      xmlQuery,
	"render":    render,
	"b64":       base64Decode,
	"gunzip":    gunzip,
	"hash":      hashInput,
	"stats":     stats,
	"dates":     dates,
	"urls":      urls,
	"yaml2json": yamlToJSON,
	"toml":      tomlGet,
	"ints":      ints,
	"chunk":     chunk,
	"cron":      cronNext,
	"bump":      bump,
}

func main() {
	harness.Init()
	defer sentry.Flush(5 * time.Second)
	defer sentry.Recover()
	if err := execute(os.Args[1:]); err != nil {
		sentry.CaptureException(err)
		sentry.Flush(5 * time.Second)
		fmt.Fprintln(os.Stderr, "etlctl:", err)
		os.Exit(1)
	}
}

func execute(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: etlctl COMMAND [ARGS]")
	}
	run, ok := commands[args[0]]
	if !ok {
		return fmt.Errorf("unknown command %q", args[0])
	}
	return run(args[1:], os.Stdin, os.Stdout)
}
