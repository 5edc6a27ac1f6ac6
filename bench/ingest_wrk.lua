-- wrk script of bench/ingest.py: each thread sends its share of pre-built raw HTTP requests
-- (file: "<length>\n<bytes>" repeated), never one twice, so every event id is new.
local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  table.insert(threads, thread)
  count = count + 1
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local data = file:read("*a")
  file:close()
  local nthreads = tonumber(args[2])
  requests, pos, index, sent, wrapped = {}, 1, 0, 0, 0
  while pos <= #data do
    local eol = string.find(data, "\n", pos, true)
    local length = tonumber(string.sub(data, pos, eol - 1))
    if index % nthreads == id then
      table.insert(requests, string.sub(data, eol + 1, eol + length))
    end
    index = index + 1
    pos = eol + 1 + length
  end
  next_request = 1
end

function request()
  if next_request > #requests then
    next_request, wrapped = 1, wrapped + 1
  end
  local raw = requests[next_request]
  next_request = next_request + 1
  sent = sent + 1
  return raw
end

function done(summary, latency, requests_stats)
  local wraps = 0
  for _, thread in ipairs(threads) do
    wraps = wraps + thread:get("wrapped")
  end
  io.write(string.format("WRK requests=%d duration_us=%d non2xx=%d errors=%d wrapped=%d " ..
    "p50_us=%d p95_us=%d p99_us=%d\n", summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    wraps, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
