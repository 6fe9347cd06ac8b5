-- wrk script: each request takes the next path of the file named by the URLS environment variable.
local paths, index = {}, 0
for line in io.lines(os.getenv("URLS")) do
  if line ~= "" then paths[#paths + 1] = line end
end

request = function()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

-- wrk counts only socket errors and non-2xx/3xx responses; print them so the table can say « erreurs ».
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d rps=%.1f p50_ms=%.1f p99_ms=%.1f non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
