-- wrk script for bench/load_under_import.sh: rotates over the paths of the file named by URLS, and counts the
-- answers by status class (wrk itself only counts "non-2xx/3xx"), so the report says which errors they were.
local paths, index = {}, 0
for line in io.lines(os.getenv("URLS")) do
  if line ~= "" then paths[#paths + 1] = line end
end

local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end

init = function()
  s2xx, s3xx, s429, s4xx, s500, s502, s503, s5xx = 0, 0, 0, 0, 0, 0, 0, 0
end

request = function()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

response = function(status)
  if status < 300 then s2xx = s2xx + 1
  elseif status < 400 then s3xx = s3xx + 1
  elseif status == 429 then s429 = s429 + 1
  elseif status < 500 then s4xx = s4xx + 1
  elseif status == 500 then s500 = s500 + 1
  elseif status == 502 then s502 = s502 + 1
  elseif status == 503 then s503 = s503 + 1
  else s5xx = s5xx + 1 end
end

done = function(summary, latency, requests)
  local totals = {s2xx = 0, s3xx = 0, s429 = 0, s4xx = 0, s500 = 0, s502 = 0, s503 = 0, s5xx = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f s2xx=%d s3xx=%d s429=%d s4xx=%d " ..
    "s500=%d s502=%d s503=%d s5xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    totals.s2xx, totals.s3xx, totals.s429, totals.s4xx, totals.s500, totals.s502, totals.s503, totals.s5xx,
    errors.connect, errors.read, errors.write, errors.timeout))
end
