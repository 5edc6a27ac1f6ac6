package main

import ( // lab: r=3
	"strconv" // lab: r=3
	"strings" // lab: r=3
	"time" // lab: r=3
 // lab: r=3
	"github.com/go-errors/errors" // lab: r=3
) // lab: r=3

// The line protocol: one point a line.

// lab: moved-here
