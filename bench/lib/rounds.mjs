/**
 * Several rounds of the modes, interleaved, resist a machine whose background load
 * changes during the run: each figure is the median over rounds, counts are summed.
 */

function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const sum = (runs, key) => runs.reduce((n, r) => n + r[key], 0);

/** One mode's runs (results of load.measure) combined into one result of the same shape. */
export function combineRounds(runs) {
  if (runs.length === 1) return { ...runs[0], windows: [runs[0].window], roundsRps: [runs[0].rps] };
  const statusCodes = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    meanMs: median(runs.map((r) => r.meanMs)),
    cpuUsPerResponse: median(runs.map((r) => r.cpuUsPerResponse)),
    gcUsPerResponse: median(runs.map((r) => r.gcUsPerResponse)),
    mainUsPerResponse: median(runs.map((r) => r.mainUsPerResponse)),
    ok: sum(runs, 'ok'),
    non2xx: sum(runs, 'non2xx'),
    errors: sum(runs, 'errors'),
    timeouts: sum(runs, 'timeouts'),
    statusCodes,
    bytesPerResponse: median(runs.map((r) => r.bytesPerResponse)),
    durationSec: sum(runs, 'durationSec'),
    sent: sum(runs, 'sent'),
    completed: sum(runs, 'completed'),
    warmupNon2xx: sum(runs, 'warmupNon2xx'),
    windows: runs.map((r) => r.window),
    roundsRps: runs.map((r) => r.rps),
  };
}
