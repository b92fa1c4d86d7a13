-- wrk script: every request carries a bearer token taken from a file, in turn.
--
--   wrk -t1 -c4 -d10s -s bench/tokens.lua http://127.0.0.1:8000 -- \
--       TOKENS_FILE METHOD PATH FIRST LAST MODE THREADS
--
-- TOKENS_FILE  lines "<token> <station slug> ..." (make_city.py's tokens.txt)
-- METHOD PATH  e.g. POST /api/v1/me/checkins, GET /api/v1/s/{slug}/leaderboard?period=all
--              ({slug} becomes the token's station)
-- FIRST LAST   the lines to use, 0-based, LAST excluded; each wrk thread takes
--              every THREADS-th of them, so no token is sent by two threads
-- MODE         "once": each token at most once (a check-in is once a day);
--              when a thread runs out it stops and reports "exhausted", and
--              the run does not count. "wrap": start again at the first.
--
-- done() prints one line "BENCH_JSON {...}" with the counts, the latency
-- percentiles (microseconds) and the non-2xx statuses seen.

local thread_count = 0
local threads = {}

function setup(thread)
   thread:set("thread_number", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

function init(args)
   local file, first, last = args[1], tonumber(args[4]), tonumber(args[5])
   method, template, mode = args[2], args[3], args[6]
   local nthreads = tonumber(args[7])
   tokens, slugs = {}, {}
   local i = 0
   for line in io.lines(file) do
      if i >= last then break end
      if i >= first and (i - first) % nthreads == thread_number then
         local token, slug = line:match("^(%S+)%s+(%S+)")
         tokens[#tokens + 1] = token
         slugs[#slugs + 1] = slug
      end
      i = i + 1
   end
   position, sent, exhausted, errors, first_error = 0, 0, 0, 0, ""
   statuses = {}
end

function request()
   position = position + 1
   if position > #tokens then
      if mode == "wrap" and #tokens > 0 then
         position = 1
      else
         exhausted = 1
         wrk.thread:stop()
         return wrk.format("GET", "/__bench_tokens_exhausted")
      end
   end
   sent = sent + 1
   local path = template:gsub("{slug}", slugs[position])
   return wrk.format(method, path, {["Authorization"] = "Bearer " .. tokens[position]})
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      errors = errors + 1
      local key = tostring(status)
      statuses[key] = (statuses[key] or 0) + 1
      if first_error == "" then
         first_error = key .. " " .. string.sub(body or "", 1, 300)
      end
   end
end

local function quote(text)
   return '"' .. tostring(text):gsub('[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
   local sent_total, exhausted_total, non2xx = 0, 0, 0
   local status_parts, first = {}, ""
   local merged = {}
   for _, thread in ipairs(threads) do
      sent_total = sent_total + thread:get("sent")
      exhausted_total = exhausted_total + thread:get("exhausted")
      non2xx = non2xx + thread:get("errors")
      local e = thread:get("first_error")
      if first == "" and e ~= "" then first = e end
      for status, count in pairs(thread:get("statuses")) do
         merged[status] = (merged[status] or 0) + count
      end
   end
   for status, count in pairs(merged) do
      table.insert(status_parts, quote(status) .. ":" .. count)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"sent":%d,"exhausted_threads":%d,"non2xx":%d,' ..
      '"statuses":{%s},"first_error":%s,"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
      '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
      summary.requests, summary.duration, summary.bytes, sent_total, exhausted_total, non2xx,
      table.concat(status_parts, ","), quote(first), e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
