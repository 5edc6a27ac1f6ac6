package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/pkg/errors"
)

var _, _, _, _, _ = context.Background, json.Unmarshal, fmt.Sprint, strconv.Itoa, errors.New

// lab: moved-here
