// Schedules: reading specs and computing when jobs run.
package main

import ( // lab: r=4
	"fmt" // lab: r=4
	"strconv" // lab: r=4
	"strings" // lab: r=4
) // lab: r=4

// moved-here // lab: moved-here
