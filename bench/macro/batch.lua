-- wrk script for bench/macro: POSTs the body in $MACRO_BODY (a JSON-RPC batch taken from a presigned file, byte for
-- byte what FastLoad sends) with $MACRO_PIPELINE requests pipelined per connection, as FastLoad's --pipelining does,
-- and prints one JSON line of totals at the end.
local file = assert(io.open(os.getenv("MACRO_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
local depth = tonumber(os.getenv("MACRO_PIPELINE") or "1")

local pipelined
init = function(args)
  local requests = {}
  for i = 1, depth do requests[i] = wrk.format() end
  pipelined = table.concat(requests)
end

request = function() return pipelined end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"duration_us":%d,"bytes":%d,"status_errors":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
