/**
 * Summarises a V8 .cpuprofile (from node --cpu-prof): self time per function and per
 * owner (mimtrust, each npm package, Node core, GC), with compiled dist/ locations mapped
 * back to src/*.ts through the build's source maps. Also a command:
 *   node bench/lib/cpu-profile.mjs <file.cpuprofile> [top]
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Walks the samples inside the windows (µs on the profile's monotonic clock, the same
 * clock as process.hrtime in any process on the machine) and calls visit(nodeId, ms).
 */
function forEachSample(profile, windows, visit) {
  const { samples = [], timeDeltas = [] } = profile;
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i] ?? 0;
    if (windows && !windows.some((w) => t >= w.fromUs && t <= w.toUs)) continue;
    // The delta before the next sample is the time spent in this one.
    visit(samples[i], (timeDeltas[i + 1] ?? 0) / 1000);
  }
}

function ownerOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  if (url.includes('/dist/')) return 'mimtrust';
  return 'other';
}

const sourceMaps = new Map();
function sourceMapFor(file) {
  if (!sourceMaps.has(file)) {
    const mapFile = `${file}.map`;
    let map;
    try {
      map = existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined;
    } catch {
      map = undefined;
    }
    sourceMaps.set(file, map);
  }
  return sourceMaps.get(file);
}

/** "src/gateway/server.ts:123" for compiled mimtrust code, "node_modules/x/y.js:45" otherwise (1-based lines). */
function locate(url, line, column) {
  if (!url) return '';
  if (!url.startsWith('file://')) return `${url}:${line + 1}`;
  const file = fileURLToPath(url);
  const map = file.includes('/dist/') ? sourceMapFor(file) : undefined;
  const entry = map?.findEntry(line, column);
  if (entry && entry.originalSource) {
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(file), entry.originalSource);
    return `${relative(REPO, source)}:${entry.originalLine + 1}`;
  }
  return `${relative(REPO, file)}:${line + 1}`;
}

function functionKey({ functionName, url, lineNumber, columnNumber }) {
  return `${functionName}\u0000${url}\u0000${lineNumber}\u0000${columnNumber}`;
}

/**
 * Self and inclusive time per function (merged over call paths; a function that recurses
 * is counted once per sample for inclusive time), and self time per owner.
 * @param {object} profile a parsed .cpuprofile
 * @param {{ fromUs: number, toUs: number }[]} [windows] only samples taken in these intervals
 */
export function summariseProfile(profile, windows) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);

  const functions = new Map();
  const entryOf = (node) => {
    const key = functionKey(node.callFrame);
    let entry = functions.get(key);
    if (!entry) {
      const { functionName, url, lineNumber, columnNumber } = node.callFrame;
      entry = { name: functionName || '(anonymous)', where: locate(url, lineNumber, columnNumber), owner: ownerOf(url, functionName), selfMs: 0, totalMs: 0 };
      functions.set(key, entry);
    }
    return entry;
  };
  const owners = new Map();
  let totalMs = 0;
  let idleMs = 0;
  forEachSample(profile, windows, (id, ms) => {
    const node = nodes.get(id);
    if (!node) return;
    totalMs += ms;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    const leaf = entryOf(node);
    leaf.selfMs += ms;
    owners.set(leaf.owner, (owners.get(leaf.owner) ?? 0) + ms);
    const seen = new Set();
    for (let n = node; n; n = nodes.get(parents.get(n.id))) {
      const entry = entryOf(n);
      if (seen.has(entry)) continue;
      seen.add(entry);
      entry.totalMs += ms;
    }
  });
  const all = [...functions.values()].filter((f) => f.totalMs > 0);
  return {
    totalMs,
    idleMs,
    busyMs: totalMs - idleMs,
    functions: all.filter((f) => f.selfMs > 0).sort((a, b) => b.selfMs - a.selfMs),
    // Inclusive view of code that can be changed: mimtrust and its packages, not the roots.
    inclusive: all.filter((f) => f.owner !== 'node core' && !f.owner.startsWith('(')).sort((a, b) => b.totalMs - a.totalMs),
    owners: [...owners].map(([owner, selfMs]) => ({ owner, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

/** Text report: owners, top functions by self time and by inclusive time, as shares of busy (non-idle) time. */
export function formatProfileSummary(summary, top = 25) {
  const pct = (ms) => `${((100 * ms) / (summary.busyMs || 1)).toFixed(1).padStart(5)}%`;
  const row = (ms, f) => `  ${pct(ms)}  ${ms.toFixed(0).padStart(7)} ms  ${f.name.padEnd(34)} ${f.where}`;
  return [
    `CPU profile: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle`,
    '',
    'self time by owner (share of busy time):',
    ...summary.owners.slice(0, 15).map((o) => `  ${pct(o.selfMs)}  ${o.selfMs.toFixed(0).padStart(7)} ms  ${o.owner}`),
    '',
    `top ${top} functions by self time:`,
    ...summary.functions.slice(0, top).map((f) => row(f.selfMs, f)),
    '',
    `top ${top} functions by inclusive time (mimtrust and packages):`,
    ...summary.inclusive.slice(0, top).map((f) => row(f.totalMs, f)),
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/lib/cpu-profile.mjs <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(formatProfileSummary(summariseProfile(JSON.parse(readFileSync(file, 'utf8'))), Number(top ?? 25)));
}
