package main

import ( // lab: r=3
	"context" // lab: r=3
	"crypto/hmac" // lab: r=3
	"crypto/sha256" // lab: r=3
	"encoding/base64" // lab: r=3
	"encoding/hex" // lab: r=3
	"encoding/json" // lab: r=3
	"regexp" // lab: r=3
	"strconv" // lab: r=3
	"strings" // lab: r=3
 // lab: r=3
	"github.com/pkg/errors" // lab: r=3
) // lab: r=3

// Older call shapes, kept until every client has moved.

// lab: moved-here
