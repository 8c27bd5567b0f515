-- wrk script for scripts/bench-lead-reads.sh: cycles through the request paths of one
-- scenario (a file, one path a line, given after `--`) and prints the latency percentiles.
local paths = {}
local next_path = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  -- Threads start at different places in the list.
  next_path = math.random(#paths) - 1
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d p50=%.1f p95=%.1f p99=%.1f max=%.1f errors=%d\n",
    summary.requests,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    e.connect + e.read + e.write + e.status + e.timeout
  ))
end
