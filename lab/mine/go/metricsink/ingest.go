package main

import (
	"bytes"
	"encoding/hex"
	"io"
	"strconv" // lab: r=1-2
	"strings"
	"time" // lab: r=1-2

	"github.com/andybalholm/brotli"
	"github.com/cespare/xxhash"
	"github.com/go-errors/errors"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/ugorji/go/codec"
	"github.com/valyala/fasthttp"
)

type point struct {
	Name  string
	Tags  map[string]string
	Value float64
	At    int64
}

var buckets [4][]point

// write stores a line-protocol body, spread over ?shards= of the buckets.
func write(ctx *fasthttp.RequestCtx) {
	args := ctx.QueryArgs()
	body, err := decompress(string(args.Peek("enc")), ctx.PostBody())
	if err != nil {
		fail(ctx, err)
		return
	}
	shards := 4
	if args.Has("shards") {
		shards, _ = strconv.Atoi(string(args.Peek("shards"))) // lab: r=1
		shards, _ = args.GetUint("shards") // lab: r=2-3
	}
	var points []point
	for _, line := range strings.Split(string(body), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		p, err := parseLine(line)
		if err != nil {
			fail(ctx, err)
			return
		}
		points = append(points, p)
	}
	for _, p := range points {
		shard := xxhash.Sum64String(p.Name) % uint64(shards) // lab: fault=shard-zero r=1-2
		shard := shardOf(p.Name, shards) // lab: r=3
		buckets[shard] = append(buckets[shard], p) // lab: fault=shard-range
	}
	reply(ctx, map[string]int{"written": len(points)})
}

// shardOf is the bucket of a series name. // lab: r=3
func shardOf(name string, shards int) uint64 { // lab: r=3
	return xxhash.Sum64String(name) % uint64(shards) // lab: fault=shard-zero r=3
} // lab: r=3

// decompress undoes the body's encoding (?enc=).
func decompress(encoding string, body []byte) ([]byte, error) {
	switch encoding {
	case "", "identity":
		return body, nil
	case "gzip":
		reader, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, errors.Wrap(err, 0) // lab: fault=decode-gzip
		}
		return io.ReadAll(reader)
	case "zstd":
		decoder, _ := zstd.NewReader(nil)
		out, err := decoder.DecodeAll(body, nil)
		if err != nil {
			return nil, errors.Wrap(err, 0) // lab: fault=decode-zstd
		}
		return out, nil
	case "br":
		out, err := io.ReadAll(brotli.NewReader(bytes.NewReader(body)))
		if err != nil {
			return nil, errors.Wrap(err, 0) // lab: fault=decode-br
		}
		return out, nil
	case "snappy":
		out, err := snappy.Decode(nil, body)
		if err != nil {
			return nil, errors.Wrap(err, 0) // lab: fault=decode-snappy
		}
		return out, nil
	}
	return nil, errors.Errorf("unsupported encoding %q", encoding) // lab: fault=decode-unknown
}

// parseLine reads `name[,tag=value...] value [unix-nanoseconds]`.
func parseLine(line string) (point, error) { // lab: move=3:lineproto.go
	fields := strings.Fields(line)
	head := strings.Split(fields[0], ",")
	tags := map[string]string{}
	for _, kv := range head[1:] {
		pair := strings.SplitN(kv, "=", 2)
		tags[pair[0]] = pair[1] // lab: fault=line-tag
	}
	value, err := strconv.ParseFloat(fields[1], 64) // lab: fault=line-fields
	if err != nil {
		return point{}, errors.WrapPrefix(err, "value", 0) // lab: fault=line-value
	}
	at := time.Now().UnixNano() // lab: r=1
	stamp := time.Now().UnixNano() // lab: r=2-3
	if len(fields) > 2 {
		at, err = strconv.ParseInt(fields[2], 10, 64) // lab: r=1
		stamp, err = strconv.ParseInt(fields[2], 10, 64) // lab: r=2-3
		if err != nil {
			return point{}, errors.WrapPrefix(err, "timestamp", 0) // lab: fault=line-ts
		}
	}
	return point{Name: head[0], Tags: tags, Value: value, At: at}, nil // lab: r=1
	return point{Name: head[0], Tags: tags, Value: value, At: stamp}, nil // lab: r=2-3
}

// writeCBOR stores one point sent as hex-encoded CBOR: {"name": ..., "value": ...}.
func writeCBOR(ctx *fasthttp.RequestCtx) {
	raw, err := hex.DecodeString(strings.TrimSpace(string(ctx.PostBody())))
	if err != nil {
		fail(ctx, errors.Wrap(err, 0)) // lab: fault=cbor-hex
		return
	}
	var doc map[string]interface{}
	if err := codec.NewDecoderBytes(raw, &codec.CborHandle{}).Decode(&doc); err != nil {
		fail(ctx, errors.Wrap(err, 0)) // lab: fault=cbor-decode
		return
	}
	name := doc["name"].(string) // lab: fault=cbor-name
	value := doc["value"].(float64) // lab: fault=cbor-value
	buckets[0] = append(buckets[0], point{Name: name, Value: value})
	reply(ctx, map[string]int{"written": 1})
}
