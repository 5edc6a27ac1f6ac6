package main

import ( // lab: r=3
	"encoding/json" // lab: r=3
	"regexp" // lab: r=3
 // lab: r=3
	"github.com/go-errors/errors" // lab: r=3
	"github.com/valyala/fasthttp" // lab: r=3
) // lab: r=3

// Alert rules.

// lab: moved-here
