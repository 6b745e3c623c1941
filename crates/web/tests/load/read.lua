-- wrk script: GET one page (or, with PATHS holding several, rotate over them) as a logged-in
-- user. Set by load.py through the environment: GK_COOKIE (session token), GK_PATHS (paths
-- separated by spaces). Counts answers that are not 200 as errors in done().
local cookie = os.getenv("GK_COOKIE")
local paths = {}
for p in string.gmatch(os.getenv("GK_PATHS") or "/", "%S+") do paths[#paths + 1] = p end
local threads = {}
local i = 0
local bad = 0

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Cookie"] = "gongkai_session=" .. cookie })
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + (t:get("bad") or 0) end
  io.write(string.format("GK_RESULT p50_ms=%.2f p99_ms=%.2f requests=%d non200=%d socket_errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, n,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
