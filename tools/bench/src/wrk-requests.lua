-- Requests for the API benchmark, driven by wrk (`wrk -s wrk-requests.lua`). Settings come from the
-- environment: TOKEN (bearer token), LOOKUP_PATH (a path ending in `=eq.`, to which an order id is added)
-- or PAGE_PATH (one path asked again and again), and KEYS (how many order ids to cycle through).
-- At the end one line of JSON goes to stdout for the benchmark to read.

local token = os.getenv("TOKEN")
local lookup = os.getenv("LOOKUP_PATH")
local page = os.getenv("PAGE_PATH")
local keys = tonumber(os.getenv("KEYS") or "1")

wrk.headers["Authorization"] = "Bearer " .. token

local threads = 0
function setup(thread)
  thread:set("offset", threads * 104729)
  threads = threads + 1
end

local n = 0
function request()
  n = n + 1
  if lookup then
    -- A stride prime to the key count visits every id once per cycle, in a scattered order.
    return wrk.format("GET", lookup .. (1 + ((n + (offset or 0)) * 7919) % keys))
  end
  return wrk.format("GET", page)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
