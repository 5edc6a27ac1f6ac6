package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/blang/semver"
	"github.com/gin-gonic/gin"
	"github.com/gorhill/cronexpr"
	"github.com/pkg/errors"
)

var (
	_ = http.StatusOK
	_ = strings.TrimPrefix
	_ = time.Now
	_ = semver.Parse
	_ = cronexpr.Parse
	_ = errors.Wrap
	_ gin.H
)

// lab: moved-here
