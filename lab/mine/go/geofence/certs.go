package main

import ( // lab: r=3
	"crypto/x509" // lab: r=3
	"encoding/base64" // lab: r=3
 // lab: r=3
	"github.com/pkg/errors" // lab: r=3
) // lab: r=3

// Client certificates.

// lab: moved-here
