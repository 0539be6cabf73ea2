-- wrk script: send the proxy's X-Forwarded-Proto, count answers that are not
-- a 200 of the expected size (EXPECTED_BYTES), and print one JSON line of
-- figures at the end for benchmarks/serve_bench.py to read.
local expected = tonumber(os.getenv("EXPECTED_BYTES") or "-1")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["X-Forwarded-Proto"] = "https"
  non200 = 0
  wrong_size = 0
  checked = 0
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 then
    non200 = non200 + 1
  elseif expected >= 0 and #body ~= expected then
    wrong_size = wrong_size + 1
  end
end

function done(summary, latency, requests)
  local non200_total, wrong_total, checked_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    non200_total = non200_total + thread:get("non200")
    wrong_total = wrong_total + thread:get("wrong_size")
    checked_total = checked_total + thread:get("checked")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"non200": %d, "wrong_size": %d, "checked": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "status_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, non200_total, wrong_total, checked_total, errors.connect, errors.read, errors.write,
    errors.timeout, errors.status))
end
