/**
 * The benchmark's printed result: the table, the ratios that matter, and the targets.
 * Ratios are declared as pairs of modes; a pair is reported only when both were measured.
 */

export const TARGETS = {
  minThroughputVsBare: 0.8,
  maxAddedP50Ms: 1,
  maxRssMb: 200,
  minFilteringVsContracts: 0.8,
};

const NAMES = { direct: 'direct', bare: 'bare proxy', gateway: 'gateway', dpop: 'gateway with DPoP', 'gateway-os': 'gateway (audit.fsync off)', contracts: 'contracts', filtering: 'filtering' };

/**
 * Two groups: the gateway's own cost (token, roles, audit) against a proxy that does
 * nothing, and what usage contracts add on top of that gateway.
 * min: the throughput ratio must reach it; max: the added p50 must stay below it.
 */
const GROUPS = [
  {
    title: 'gateway core (token check, roles, audit; no contracts)',
    throughput: [
      { a: 'gateway', b: 'bare', min: TARGETS.minThroughputVsBare },
      { a: 'gateway', b: 'direct' },
      { a: 'bare', b: 'direct' },
      { a: 'gateway-os', b: 'bare', min: TARGETS.minThroughputVsBare },
      { a: 'dpop', b: 'gateway' },
    ],
    added: [
      { a: 'gateway', b: 'bare', max: TARGETS.maxAddedP50Ms },
      { a: 'gateway-os', b: 'bare', max: TARGETS.maxAddedP50Ms },
      { a: 'dpop', b: 'gateway' },
    ],
  },
  {
    title: 'usage contracts (decide() alone, then decide() plus response filtering)',
    throughput: [
      { a: 'filtering', b: 'contracts', min: TARGETS.minFilteringVsContracts },
      { a: 'contracts', b: 'gateway' },
      { a: 'filtering', b: 'gateway' },
      { a: 'contracts', b: 'direct' },
      { a: 'filtering', b: 'direct' },
    ],
    added: [
      { a: 'contracts', b: 'gateway' },
      { a: 'filtering', b: 'gateway' },
      { a: 'filtering', b: 'contracts' },
    ],
  },
];

const mb = (bytes) => bytes / (1024 * 1024);
const fixed = (n, digits) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
/** A twin mode (BENCH_TWIN_FLAGS) is keyed `<mode>+` and named after its mode. */
const nameOf = (key) => NAMES[key] ?? (key.endsWith('+') && NAMES[key.slice(0, -1)] ? `${NAMES[key.slice(0, -1)]} (twin)` : key);
const pairName = ({ a, b }) => `${nameOf(a)} / ${nameOf(b)}`;

/**
 * Ratios, added latencies and the targets' verdicts from the measured modes.
 * @param {Record<string, object>} results combined results by mode key
 * @param {Record<string, number>} rssMaxByMode max RSS in bytes of each gateway child, by mode key
 */
export function compare(results, rssMaxByMode) {
  const measured = (p) => results[p.a] !== undefined && results[p.b] !== undefined;
  const groups = GROUPS.map((g) => ({
    title: g.title,
    throughput: g.throughput.filter(measured).map((p) => {
      const ratio = results[p.a].rps / results[p.b].rps;
      const cpuRatio = results[p.a].cpuUsPerResponse / results[p.b].cpuUsPerResponse;
      return { ...p, ratio, p50Ratio: results[p.a].p50Ms / results[p.b].p50Ms, cpuRatio, ...(p.min !== undefined ? { met: ratio >= p.min } : {}) };
    }),
    added: g.added.filter(measured).map((p) => {
      const p50Ms = results[p.a].p50Ms - results[p.b].p50Ms;
      return { ...p, p50Ms, p99Ms: results[p.a].p99Ms - results[p.b].p99Ms, ...(p.max !== undefined ? { met: p50Ms < p.max } : {}) };
    }),
  })).filter((g) => g.throughput.length || g.added.length);
  const rss = Object.entries(rssMaxByMode).map(([mode, bytes]) => ({ mode, mb: mb(bytes), met: mb(bytes) < TARGETS.maxRssMb }));
  return { groups, rss };
}

/** Per-round throughput ratios of the pairs that have a target: paired within a round, they show the spread. */
export function perRoundRatios(runs) {
  const out = [];
  for (const g of GROUPS) {
    for (const p of g.throughput) {
      if (p.min === undefined || !runs[p.a] || !runs[p.b]) continue;
      out.push({ name: pairName(p), ratios: runs[p.a].map((r, i) => r.rps / runs[p.b][i].rps) });
    }
  }
  return out;
}

export function formatTable(rows) {
  const header = ['mode', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'CPU µs/resp', 'main µs/resp', 'GC µs/resp', 'ok', 'non-2xx', 'errors', 'bytes/resp', 'max RSS MB'];
  const body = rows.map(({ label, m, rssMax }) => [
    label,
    fixed(m.rps, 0),
    fixed(m.p50Ms, 3),
    fixed(m.p99Ms, 3),
    fixed(m.meanMs, 3),
    fixed(m.cpuUsPerResponse, 0),
    fixed(m.mainUsPerResponse, 0),
    fixed(m.gcUsPerResponse, 0),
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

const verdict = (ok) => (ok ? 'met' : 'MISSED');

export function formatComparison(c) {
  const lines = [];
  for (const g of c.groups) {
    lines.push(`${g.title}:`);
    const width = Math.max(0, ...g.throughput.map((p) => pairName(p).length), ...g.added.map((p) => pairName(p).length));
    for (const p of g.throughput) {
      const target = p.min !== undefined ? `   target >= ${p.min}: ${verdict(p.met)}` : '';
      lines.push(`  throughput ${pairName(p).padEnd(width)}  ${fixed(p.ratio, 3)}   (p50 ratio ${fixed(p.p50Ratio, 2)}, CPU per response ratio ${fixed(p.cpuRatio, 2)})${target}`);
    }
    for (const p of g.added) {
      const target = p.max !== undefined ? `   target < ${p.max} ms: ${verdict(p.met)}` : '';
      lines.push(`  added p50 of ${nameOf(p.a)} over ${nameOf(p.b)}: ${fixed(p.p50Ms, 3)} ms, p99 ${fixed(p.p99Ms, 3)} ms${target}`);
    }
  }
  for (const r of c.rss) {
    lines.push(`${nameOf(r.mode)} max RSS under load: ${fixed(r.mb, 1)} MB (target < ${TARGETS.maxRssMb} MB: ${verdict(r.met)})`);
  }
  return lines.join('\n');
}
