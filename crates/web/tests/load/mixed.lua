-- wrk script: the mixed load, one connection per thread (wrk -tN -cN), so each response is the
-- answer to this thread's last request. 90 % reads (dashboard, list, detail pages), 10 %
-- writes: a consultation started or answered on one of the write applications, at the
-- version this thread last saw. Another thread may have written first: the server refuses
-- with 409 (a stale version), and the thread reads the current version and state from the
-- refusal page. Environment: GK_COOKIE, GK_CSRF, GK_READS (paths), GK_WRITES (application
-- ids), GK_TODAY (YYYY-MM-DD).
local cookie = "gongkai_session=" .. os.getenv("GK_COOKIE")
local csrf = os.getenv("GK_CSRF")
local today = os.getenv("GK_TODAY")
local reads, writes = {}, {}
for p in string.gmatch(os.getenv("GK_READS"), "%S+") do reads[#reads + 1] = p end
for a in string.gmatch(os.getenv("GK_WRITES"), "%S+") do writes[#writes + 1] = tonumber(a) end
local threads = {}
-- What this thread knows of each write application: version, paused, events.
local known = {}
local last = nil
ok_writes, stale, other, read_ok = 0, 0, 0, 0

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  for _, a in ipairs(writes) do known[a] = { version = 1, paused = false, events = 1 } end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  if math.random(100) <= 10 then
    local a = writes[math.random(#writes)]
    local k = known[a]
    last = a
    local kind = k.paused and "consultation_answered" or "consultation_started"
    local body = "csrf=" .. csrf .. "&version=" .. k.version .. "&seen=" .. k.events .. "&kind=" .. kind ..
      "&date=" .. today .. "&party=third_party"
    return wrk.format("POST", "/applications/" .. a .. "/events",
      { ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
  end
  last = nil
  return wrk.format("GET", reads[math.random(#reads)], { ["Cookie"] = cookie })
end

function response(status, headers, body)
  if last == nil then
    if status == 200 then read_ok = read_ok + 1 else other = other + 1 end
    return
  end
  local k = known[last]
  if status == 303 then
    ok_writes = ok_writes + 1
    k.version = k.version + 1
    k.events = k.events + 1
    k.paused = not k.paused
  elseif status == 409 then
    stale = stale + 1
    local v = body:match("<dt>版本</dt><dd>(%d+)</dd>")
    if v then k.version = tonumber(v) end
    k.events = k.version
    k.paused = body:find("<dt>状态</dt><dd>中止计时", 1, true) ~= nil
  else
    other = other + 1
    io.stderr:write("write answered " .. status .. "\n")
  end
end

function done(summary, latency, requests)
  local w, s, o, r = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    w = w + t:get("ok_writes"); s = s + t:get("stale"); o = o + t:get("other"); r = r + t:get("read_ok")
  end
  io.write(string.format(
    "GK_RESULT p50_ms=%.2f p99_ms=%.2f requests=%d reads_ok=%d writes_ok=%d stale=%d other_errors=%d socket_errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, r, w, s, o,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
