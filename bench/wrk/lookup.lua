-- wrk script: GET /scim/v2/Users?filter=userName eq "<PREFIX><random 0..USERS-1>@example.com", the
-- lookup identity providers send before every create. Each answer must be 200 with exactly one user.
--   PREFIX=scale-RUN- USERS=100000 TOKEN=... wrk -t2 -c8 -d30s --latency -s bench/wrk/lookup.lua URL
-- With LIST=<file> (one n per line, as bench/wrk/create.lua writes them) it looks up those users instead.
local prefix = os.getenv("PREFIX") or error("PREFIX is not set")
local users = tonumber(os.getenv("USERS") or "100000")
local token = os.getenv("TOKEN") or error("TOKEN is not set")
local threads = {}
local id = 0

function setup(thread)
   id = id + 1
   thread:set("id", id)
   table.insert(threads, thread)
end

function init(args)
   math.randomseed(os.time() * 1000 + id)
   local list = os.getenv("LIST")
   if list then
      ns = {}
      for line in io.lines(list) do
         ns[#ns + 1] = line
      end
      assert(#ns > 0, "LIST " .. list .. " is empty")
   end
   wrong = 0
   headers = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/scim+json" }
end

function request()
   local n = ns and ns[math.random(1, #ns)] or math.random(0, users - 1)
   return wrk.format("GET", "/scim/v2/Users?filter=userName%20eq%20%22" .. prefix .. n .. "%40example.com%22",
      headers)
end

function response(status, hdrs, body)
   if status ~= 200 or not string.find(body, '"totalResults":1,', 1, true) then
      wrong = wrong + 1
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, t in ipairs(threads) do
      bad = bad + t:get("wrong")
   end
   io.write(string.format("lookups: %d in %.1f s = %.1f/s; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; "
      .. "wrong answers %d, socket errors %d\n", summary.requests, summary.duration / 1e6,
      summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
      latency:percentile(99) / 1e3, latency.max / 1e3, bad,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
