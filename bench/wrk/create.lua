-- wrk script: POST /scim/v2/Users, each request a new user "<PREFIX><n>@example.com" (with name and a work
-- email, as ScimLoad sends). Thread t takes n = t, t+STRIDE, t+2*STRIDE, ... (at most STRIDE threads); wrk
-- may build a request it never sends, so which users exist is read from the answers: with LIST set, each
-- thread writes the n of every user created to LIST.<thread>, for bench/wrk/lookup.lua to look up. Every
-- answer must be 201.
--   PREFIX=run1- TOKEN=... LIST=/tmp/created PHASE=create wrk -t2 -c16 -d40s -s bench/wrk/create.lua URL
local prefix = os.getenv("PREFIX") or error("PREFIX is not set")
local token = os.getenv("TOKEN") or error("TOKEN is not set")
local phase = os.getenv("PHASE") or "create"
-- A fixed stride, not the thread count: wrk starts each thread right after calling setup() for it, so
-- thread 0 runs before setup() has seen thread 1. With n = tid + nthreads * sent, thread 0's first
-- requests used nthreads = 1 and took numbers of thread 1: a few 409s at the start of each run.
local STRIDE = 64
local count = 0
local threads = {}

function setup(thread)
   assert(count < STRIDE, "create.lua takes at most " .. STRIDE .. " threads")
   thread:set("tid", count)
   count = count + 1
   table.insert(threads, thread)
end

function init(args)
   local list = os.getenv("LIST")
   if list then
      out = assert(io.open(list .. "." .. tid, "w"))
      out:setvbuf("line")
   end
   made = 0
   sent = 0
   wrong = 0
   headers = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/scim+json",
               ["Content-Type"] = "application/scim+json" }
end

function request()
   local n = tid + STRIDE * sent
   sent = sent + 1
   local name = prefix .. n .. "@example.com"
   local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name
      .. '","name":{"givenName":"B","familyName":"N"},"emails":[{"value":"' .. name
      .. '","type":"work","primary":true}],"active":true}'
   return wrk.format("POST", "/scim/v2/Users", headers, body)
end

function response(status, hdrs, body)
   if status == 201 then
      made = made + 1
      if out then
         out:write(string.match(body, '"userName":"[^"]-(%d+)@example%.com"'), "\n")
      end
   else
      wrong = wrong + 1
      if wrong == 1 then
         io.write("first unexpected answer: " .. status .. " " .. string.sub(body, 1, 200) .. "\n")
      end
   end
end

function done(summary, latency, requests)
   local bad, made = 0, 0
   for _, t in ipairs(threads) do
      bad = bad + t:get("wrong")
      made = made + t:get("made")
   end
   local secs = summary.duration / 1e6
   io.write(string.format("%-8s %9d %7d %9.3f %10.1f %8.2f %8.2f %8.2f %8.2f\n", phase, summary.requests, bad
      + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
      secs, summary.requests / secs, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
      latency:percentile(99) / 1e3, latency.max / 1e3))
   io.write(string.format("users created %d; socket errors: connect %d, read %d, write %d, timeout %d\n",
      made, summary.errors.connect, summary.errors.read, summary.errors.write,
      summary.errors.timeout))
end
