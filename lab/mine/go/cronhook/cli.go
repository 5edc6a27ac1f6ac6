package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/getsentry/sentry-go"
)

// out is where commands print (the harness discards it).
var out io.Writer = io.Discard

// runCLI runs one command line; a panic or a returned error is reported.
func runCLI(args []string) {
	defer sentry.Recover()
	if err := command(args); err != nil {
		sentry.CaptureException(err) // lab: fault=capture-cli
	}
}

// arg is the i-th argument, or "" when it was left out.
func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// num is the i-th argument as a number (0 when absent or not a number).
func num(args []string, i int) int {
	n, _ := strconv.Atoi(arg(args, i))
	return n
}

func command(args []string) error {
	switch arg(args, 0) {
	case "show":
		fmt.Fprintln(out, describeJob(arg(args, 1))) // lab: r=1
		fmt.Fprintln(out, jobSummary(arg(args, 1))) // lab: r=2-4
	case "add":
		_, err := addJob(arg(args, 1), strings.Join(args[2:], " "))
		return err
	case "pause":
		pauseJob(arg(args, 1))
	case "resume":
		resumeJob(arg(args, 1))
	case "transfer":
		return transferJob(arg(args, 1), arg(args, 2))
	case "fire":
		return fire(jobs[arg(args, 1)], num(args, 2))
	case "budget":
		fmt.Fprintln(out, splitBudget(jobs[arg(args, 1)], num(args, 2), num(args, 3))) // lab: r=1-3
		fmt.Fprintln(out, allocate(jobs[arg(args, 1)], num(args, 2), num(args, 3))) // lab: r=4
	case "hook":
		fmt.Fprintln(out, hookInfo(arg(args, 1)))
	case "doctor": // lab: r=4
		return doctor(arg(args, 1)) // lab: r=4
	case "header":
		setHeader(arg(args, 1), arg(args, 2), arg(args, 3))
	case "stats":
		fmt.Fprintln(out, successRate(hooks[arg(args, 1)]))
	case "quiet":
		fmt.Fprintln(out, quietHours(num(args, 1))) // lab: r=1-3
		fmt.Fprintln(out, quietWindow(num(args, 1))) // lab: r=4
	case "runs":
		fmt.Fprintln(out, listRuns(jobs[arg(args, 1)], num(args, 2), num(args, 3)))
	case "next":
		fmt.Fprintln(out, nextRun(jobs[arg(args, 1)], arg(args, 2)))
	case "import":
		_, err := importLine(strings.Join(args[1:], " "))
		return err
	default:
		return errors.New("unknown command " + strconv.Quote(arg(args, 0)))
	}
	return nil
}

// doctor checks one webhook: its settings, then how its deliveries went. // lab: r=4
func doctor(name string) error { // lab: r=4
	info := hookInfo(name) // lab: r=4
	rate := successRate(hooks[name]) // lab: r=4
	if rate < 90 { // lab: r=4
		return fmt.Errorf("hook %s (%s): %d%% delivered", name, info["url"], rate) // lab: r=4
	} // lab: r=4
	return nil // lab: r=4
} // lab: r=4
