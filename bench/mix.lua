-- wrk script: rotate through the paths in WRK_PATHS (comma-separated), mark requests as
-- HTTPS-from-the-proxy, and report status counts and latency percentiles as JSON lines.
local paths = {}
for path in string.gmatch(os.getenv("WRK_PATHS") or "/", "([^,]+)") do
  table.insert(paths, path)
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counter = math.random(#paths)
  statuses = {}
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local headers = { ["X-Forwarded-Proto"] = "https", ["Host"] = "127.0.0.1" }
  -- A cookie makes the request bypass the whole-page cache (as a logged-in visitor would).
  if os.getenv("WRK_COOKIE") then headers["Cookie"] = os.getenv("WRK_COOKIE") end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("statuses")) do
      total[key] = (total[key] or 0) + count
    end
  end
  local parts = {}
  for key, count in pairs(total) do
    table.insert(parts, string.format('"%s": %d', key, count))
  end
  io.write("STATUS_JSON {" .. table.concat(parts, ", ") .. "}\n")
  local e = summary.errors
  io.write(string.format(
    'SUMMARY_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "non_2xx_3xx": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status))
end
