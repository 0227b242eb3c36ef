/** The benchmark's printed result: the table, the ratios that matter, and the targets. */

export const TARGETS = {
  minThroughputVsBare: 0.8,
  maxAddedP50Ms: 1,
  maxRssMb: 200,
};

const mb = (bytes) => bytes / (1024 * 1024);
const fixed = (n, digits) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Ratios and the targets' verdicts from the three measured modes. */
export function compare({ direct, bare, gateway }, gatewayRssMax) {
  const addedP50Ms = gateway.p50Ms - bare.p50Ms;
  const gatewayVsBare = gateway.rps / bare.rps;
  return {
    throughput: { gatewayVsBare, gatewayVsDirect: gateway.rps / direct.rps, bareVsDirect: bare.rps / direct.rps },
    p50: { gatewayVsBare: gateway.p50Ms / bare.p50Ms, gatewayVsDirect: gateway.p50Ms / direct.p50Ms, bareVsDirect: bare.p50Ms / direct.p50Ms },
    addedP50Ms,
    addedP99Ms: gateway.p99Ms - bare.p99Ms,
    gatewayRssMb: mb(gatewayRssMax),
    targets: {
      throughput: gatewayVsBare >= TARGETS.minThroughputVsBare,
      addedP50: addedP50Ms < TARGETS.maxAddedP50Ms,
      rss: mb(gatewayRssMax) < TARGETS.maxRssMb,
    },
  };
}

export function formatTable(rows) {
  const header = ['mode', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'ok', 'non-2xx', 'errors', 'bytes/resp', 'max RSS MB'];
  const body = rows.map(({ label, m, rssMax }) => [
    label,
    fixed(m.rps, 0),
    fixed(m.p50Ms, 3),
    fixed(m.p99Ms, 3),
    fixed(m.meanMs, 3),
    String(m.ok),
    String(m.non2xx),
    String(m.errors + m.timeouts),
    fixed(m.bytesPerResponse, 0),
    fixed(mb(rssMax), 1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function formatComparison(c) {
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  return [
    'throughput ratios (req/s):',
    `  gateway / bare proxy   ${fixed(c.throughput.gatewayVsBare, 3)}   target >= ${TARGETS.minThroughputVsBare}: ${verdict(c.targets.throughput)}`,
    `  gateway / direct       ${fixed(c.throughput.gatewayVsDirect, 3)}`,
    `  bare proxy / direct    ${fixed(c.throughput.bareVsDirect, 3)}`,
    'p50 latency ratios:',
    `  gateway / bare proxy   ${fixed(c.p50.gatewayVsBare, 2)}`,
    `  gateway / direct       ${fixed(c.p50.gatewayVsDirect, 2)}`,
    `  bare proxy / direct    ${fixed(c.p50.bareVsDirect, 2)}`,
    `added latency of the gateway over the bare proxy: p50 ${fixed(c.addedP50Ms, 3)} ms (target < ${TARGETS.maxAddedP50Ms} ms: ${verdict(c.targets.addedP50)}), p99 ${fixed(c.addedP99Ms, 3)} ms`,
    `gateway max RSS under load: ${fixed(c.gatewayRssMb, 1)} MB (target < ${TARGETS.maxRssMb} MB: ${verdict(c.targets.rss)})`,
  ].join('\n');
}
