-- wrk: every request from a different client address (as Cloudflare would report it), so
-- the per-client rate limits do not turn a throughput measurement into a 429 measurement.
local counter = 0
request = function()
  counter = counter + 1
  wrk.headers["CF-Connecting-IP"] = string.format("10.%d.%d.%d", math.random(0, 255), math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(nil)
end
