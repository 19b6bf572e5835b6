-- wrk: POST /api/v1/bookings, each request for a different free 5-minute slot of the load host
-- (every thread takes every n-th slot from tomorrow 00:00 UTC on), from a different client.
local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  step = tonumber(args[1]) or 2
  first = (math.floor(os.time() / 86400) + 1) * 86400
end

request = function()
  local index = id + step * counter
  counter = counter + 1
  local start = os.date("!%Y-%m-%dT%H:%M:00Z", first + index * 300)
  local body = string.format(
    '{"host":"load","event":"five","start":"%s","name":"Load Test","email":"load%d@example.com","time_zone":"UTC"}',
    start, index)
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["CF-Connecting-IP"] = string.format("10.%d.%d.%d", id, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("POST", "/api/v1/bookings", nil, body)
end

done = function(summary, latency, requests)
  io.write(string.format("statuses: non-2xx/3xx %d\n", summary.errors.status))
end
