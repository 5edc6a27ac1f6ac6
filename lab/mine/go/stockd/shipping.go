package main

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"
)

var _ = strconv.Itoa
var _ = mux.Vars
var _ http.Handler

// lab: moved-here
