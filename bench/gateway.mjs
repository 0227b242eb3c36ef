/**
 * Gateway benchmark: requests/s and p50/p99 latency of one NGSI-LD read
 * (GET /ngsi-ld/v1/entities/<ParkingSpot>) three ways against the same broker:
 *   direct      HTTP straight to the broker
 *   bare proxy  HTTPS through a proxy that checks nothing (the ceiling for Node.js)
 *   gateway     HTTPS through mimtrust: token check, roles, audit log
 * Broker, bare proxy and gateway each run in their own process; the load generator runs
 * here. Afterwards it checks that every response was a 200 and that the audit log holds
 * one record per gateway request. See bench/README.md.
 *
 *   npm run build && node bench/gateway.mjs
 *   BENCH_DURATION=10 BENCH_WARMUP=2 BENCH_CONNECTIONS=16 BENCH_ROUNDS=3 BENCH_PROFILE=1 BENCH_JSON=out.json
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSettings } from './lib/settings.mjs';
import { checkBuild } from './lib/build-check.mjs';
import { killAll, startRunner } from './lib/supervisor.mjs';
import { PARKING_SPOT_PATH } from './lib/parking-spot.mjs';
import { preflight, differingBodies } from './lib/preflight.mjs';
import { measure } from './lib/load.mjs';
import { combineRounds } from './lib/rounds.mjs';
import { countAuditRows } from './lib/audit-count.mjs';
import { compare, formatComparison, formatTable } from './lib/report.mjs';
import { formatProfileSummary, summariseProfile } from './lib/cpu-profile.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));

async function mintToken(info, ttlSec) {
  // Imported only here: the parent needs the compiled key and issuer code for this alone.
  const { loadOrCreateSigningKey } = await import('../dist/keys/index.js');
  const { issueLocalToken, LOCAL_ISSUER_KEY_NAME } = await import('../dist/issuer/index.js');
  const key = await loadOrCreateSigningKey(info.keysDir, LOCAL_ISSUER_KEY_NAME);
  return issueLocalToken(key, { issuer: info.localIssuer.issuer, audience: info.localIssuer.audience }, { sub: 'bench-viewer', roles: ['viewer'], ttlSec });
}

/** The run's temporary directory (keys, SQLite store, CPU profile); kept only when profiling. */
const temp = { dir: undefined, keep: false };

function cleanUp() {
  killAll();
  if (temp.dir && !temp.keep) rmSync(temp.dir, { recursive: true, force: true });
  temp.dir = undefined;
}

function cpuProfileOf(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile was written to ${dir}`);
  return join(dir, file);
}

async function main(settings) {
  const warning = checkBuild(REPO);
  if (warning) console.warn(warning);
  console.log(
    `mimtrust gateway benchmark: ${settings.connections} connections, ${settings.warmupSec} s warm-up + ${settings.durationSec} s per mode, ` +
      `${cpus().length} CPU(s) shared by the load generator and the system under test, node ${process.version}, ` +
      `load average ${loadavg()[0].toFixed(2)} at start`,
  );
  if (settings.workers > 1) {
    console.log(`BENCH_WORKERS=${settings.workers}: skipped, the gateway runs as one process and has no multi-worker mode yet (see bench/README.md)`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'mimtrust-bench-'));
  temp.dir = dir;
  const profileDir = join(dir, 'profile');
  try {
    const broker = await startRunner('broker', './run-broker.mjs', {});
    if (settings.profile) mkdirSync(profileDir);
    const gateway = await startRunner(
      'gateway',
      './run-gateway.mjs',
      { dir, repo: REPO, upstream: broker.info.url, connections: settings.upstreamConnections },
      { execArgv: settings.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] },
    );
    const bare = await startRunner('bare proxy', './run-bare-proxy.mjs', {
      upstream: broker.info.url,
      certFile: gateway.info.certFile,
      keyFile: gateway.info.keyFile,
      connections: settings.upstreamConnections,
    });

    const token = await mintToken(gateway.info, settings.timeBoundMs / 1000 + 600);
    // The same request everywhere; direct and bare simply ignore the token.
    const headers = { accept: 'application/json', authorization: `Bearer ${token}` };
    const modes = [
      { key: 'direct', label: 'direct (http)', origin: broker.info.url, handle: broker },
      { key: 'bare', label: 'bare proxy (https)', origin: bare.info.url, handle: bare },
      { key: 'gateway', label: 'gateway (https)', origin: gateway.info.url, handle: gateway },
    ];

    const ca = readFileSync(gateway.info.certFile, 'utf8');
    const answers = await preflight(modes.map((m) => ({ name: m.key, origin: m.origin })), { path: PARKING_SPOT_PATH, headers, ca });
    const differing = differingBodies(answers);
    if (differing.length) console.warn(`warning: ${differing.join(', ')} answered a different body than the broker; the modes do not move the same bytes`);

    const runs = Object.fromEntries(modes.map((m) => [m.key, []]));
    for (let round = 1; round <= settings.rounds; round++) {
      for (const mode of modes) {
        process.stdout.write(`${settings.rounds > 1 ? `round ${round}: ` : ''}measuring ${mode.label} ... `);
        const run = await measure({
          url: mode.origin + PARKING_SPOT_PATH,
          headers,
          connections: settings.connections,
          durationSec: settings.durationSec,
          warmupSec: settings.warmupSec,
        });
        runs[mode.key].push(run);
        console.log(`${run.rps.toFixed(0)} req/s, p50 ${run.p50Ms.toFixed(3)} ms`);
      }
    }
    const results = Object.fromEntries(modes.map((m) => [m.key, combineRounds(runs[m.key])]));

    // Stopping the gateway flushes and closes its audit log (and writes the CPU profile).
    const { received } = await gateway.stop();
    const audit = countAuditRows(gateway.info.storePath);
    await bare.stop();
    await broker.stop();

    console.log('');
    if (settings.rounds > 1) console.log(`figures are medians over ${settings.rounds} interleaved rounds; counts are totals`);
    console.log(formatTable(modes.map((m) => ({ label: m.label, m: results[m.key], rssMax: m.handle.rssMax }))));
    console.log('');
    const comparison = compare(results, gateway.rssMax);
    console.log(formatComparison(comparison));
    if (settings.rounds > 1) {
      // Paired within each round, so drifting background load shows as spread, not as bias.
      const perRound = runs.gateway.map((g, i) => (g.rps / runs.bare[i].rps).toFixed(2));
      console.log(`gateway / bare proxy throughput per round: ${perRound.join(', ')}`);
    }
    console.log(`gateway RSS after start (idle): ${(gateway.rssAtReady / 1048576).toFixed(1)} MB; max V8 heap used under load: ${(gateway.heapUsedMax / 1048576).toFixed(1)} MB`);

    const failures = [];
    for (const m of modes) {
      const r = results[m.key];
      if (r.non2xx || r.errors || r.timeouts || r.warmupNon2xx) {
        failures.push(`${m.label}: ${r.non2xx} non-2xx (${JSON.stringify(r.statusCodes)}), ${r.errors} errors, ${r.timeouts} timeouts, ${r.warmupNon2xx} non-2xx in warm-up`);
      }
    }
    // Exact: every request that reached the gateway's server has one record. Bounded from
    // below by what the load generator saw answered (plus the preflight request).
    const answered = results.gateway.completed + 1;
    console.log(
      `audit: ${audit.records} records, ${audit.checkpoints} checkpoints; gateway received ${received} requests, ` +
        `the load generator saw ${answered} answered (incl. preflight)`,
    );
    if (audit.records !== received) failures.push(`audit records (${audit.records}) != requests received by the gateway (${received})`);
    if (audit.records < answered) failures.push(`audit records (${audit.records}) < responses answered (${answered})`);

    if (settings.profile) {
      temp.keep = true;
      const file = cpuProfileOf(profileDir);
      console.log('');
      console.log(`gateway CPU profile: ${file} (summary of the measured run only, without start-up and warm-up)`);
      console.log(formatProfileSummary(summariseProfile(JSON.parse(readFileSync(file, 'utf8')), results.gateway.windows)));
    }

    if (settings.jsonOut) {
      writeFileSync(settings.jsonOut, JSON.stringify({ settings, cpus: cpus().length, loadavg: loadavg(), node: process.version, runs, results, comparison, audit, received, gatewayMemory: { rssAtReady: gateway.rssAtReady, rssMax: gateway.rssMax, heapUsedMax: gateway.heapUsedMax } }, null, 2) + '\n');
    }

    if (failures.length) {
      console.error('\nthe run is not valid:\n  ' + failures.join('\n  '));
      return 1;
    }
    console.log('\nall responses were 200 and every gateway request is in the audit log');
    return 0;
  } finally {
    cleanUp();
  }
}

process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

let settings;
try {
  settings = readSettings();
} catch (err) {
  console.error(err.message);
  process.exit(2);
}
const bound = setTimeout(() => {
  console.error(`the benchmark did not finish within ${settings.timeBoundMs / 1000} s; stopping`);
  cleanUp();
  process.exit(1);
}, settings.timeBoundMs);
bound.unref();

main(settings).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err?.stack ?? err);
    process.exitCode = 1;
  },
);
