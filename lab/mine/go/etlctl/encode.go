package main

import (
	"encoding/base64"
	"encoding/hex"
	"io"
	"strings"

	"github.com/go-errors/errors"
)

var _, _, _, _, _ = base64.StdEncoding, hex.EncodeToString, strings.TrimSpace, errors.New, io.Copy

// lab: moved-here
