/**
 * Gateway benchmark: requests/s and p50/p99 latency of one NGSI-LD read
 * (GET /ngsi-ld/v1/entities/<ParkingSpot>) against the same broker, in up to seven modes:
 *   direct      HTTP straight to the broker
 *   bare        HTTPS through a proxy that checks nothing (the ceiling for Node.js)
 *   gateway     HTTPS through mimtrust: token check, roles, audit log; contracts off
 *   dpop        the same with a DPoP-bound token and a fresh proof per request
 *   gateway-os  the same as gateway with audit.fsync off
 *   contracts   the same plus usage contracts, with a contract that shows every attribute
 *   filtering   the same plus usage contracts, with a contract that hides two attributes
 * Broker, bare proxy and each gateway run in their own process (each gateway with the
 * node flags of src/app/node-flags.ts); the load generator runs here. Afterwards it
 * checks that every response was a 200 and that each gateway's audit log holds one
 * record per request it received. See bench/README.md.
 *
 *   npm run build && node bench/gateway.mjs
 *   BENCH_MODES=direct,bare,gateway BENCH_DURATION=8 BENCH_WARMUP=2 BENCH_CONNECTIONS=16 BENCH_ROUNDS=3 BENCH_PROFILE=1 BENCH_JSON=out.json
 *   BENCH_NODE_FLAGS=--trace-gc (every gateway) BENCH_TWIN_FLAGS=--some-v8-flag (a twin of each gateway mode with it)
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSettings } from './lib/settings.mjs';
import { checkBuild } from './lib/build-check.mjs';
import { runBenchmark, scratchSpace, startRunner } from './lib/supervisor.mjs';
import { PARKING_SPOT_PATH } from './lib/parking-spot.mjs';
import { preflight, differingBodies, viewProblems } from './lib/preflight.mjs';
import { measure } from './lib/load.mjs';
import { proofPool } from './lib/dpop-proofs.mjs';
import { combineRounds } from './lib/rounds.mjs';
import { countAuditRows } from './lib/audit-count.mjs';
import { compare, formatComparison, formatTable, perRoundRatios } from './lib/report.mjs';
import { formatProfileSummary, summariseProfile } from './lib/cpu-profile.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** The run's temporary directory (keys, SQLite stores, CPU profiles); kept only when profiling. */
const scratch = scratchSpace();
const cleanUp = () => scratch.cleanUp();

/** node --cpu-prof writes CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread. */
const PROFILE_NAME = /^CPU\.\d+\.\d+\.\d+\.(\d+)\.\d+\.cpuprofile$/;

/** The main thread's profile (the event loop that serves requests) and those of worker threads, such as the audit writer. */
function cpuProfilesOf(dir) {
  const files = readdirSync(dir).filter((f) => PROFILE_NAME.test(f)).sort();
  const main = files.find((f) => PROFILE_NAME.exec(f)?.[1] === '0');
  if (!main) throw new Error(`no main-thread .cpuprofile was written to ${dir}`);
  return { main: join(dir, main), workers: files.filter((f) => f !== main).map((f) => join(dir, f)) };
}

const MB = 1048576;

/**
 * Starts the process behind each mode. Gateways start one after another: the first one
 * creates the audit key in the shared keys folder, the others read it.
 */
async function startModes(settings, { dir, broker, keys, nodeFlags }) {
  const started = [];
  for (const mode of settings.modes.filter((m) => m.kind === 'gateway')) {
    const profileDir = join(dir, 'profile', mode.key);
    if (settings.profile) mkdirSync(profileDir, { recursive: true });
    const handle = await startRunner(
      `gateway ${mode.key}`,
      './run-gateway.mjs',
      { dir, repo: REPO, upstream: broker.info.url, connections: settings.upstreamConnections, name: mode.key, ...mode.gateway },
      { execArgv: [...nodeFlags, ...settings.gatewayNodeFlags, ...(mode.nodeFlags ?? []), ...(settings.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])] },
    );
    started.push({ ...mode, handle, origin: handle.info.url, profileDir });
  }
  if (settings.modes.some((m) => m.kind === 'bare')) {
    // Profiled like the gateways, so the two profiles compare function by function.
    const profileDir = join(dir, 'profile', 'bare');
    if (settings.profile) mkdirSync(profileDir, { recursive: true });
    const bare = await startRunner(
      'bare proxy',
      './run-bare-proxy.mjs',
      { upstream: broker.info.url, certFile: keys.certFile, keyFile: keys.keyFile, connections: settings.upstreamConnections },
      { execArgv: settings.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] },
    );
    started.push({ ...settings.modes.find((m) => m.kind === 'bare'), handle: bare, origin: bare.info.url, profileDir });
  }
  const direct = settings.modes.find((m) => m.kind === 'broker');
  if (direct) started.push({ ...direct, handle: broker, origin: broker.info.url });
  // Back in round order.
  return settings.modes.map((m) => started.find((s) => s.key === m.key));
}

async function main(settings) {
  const warning = checkBuild(REPO);
  if (warning) console.warn(warning);
  console.log(
    `mimtrust gateway benchmark: modes ${settings.modes.map((m) => m.key).join(', ')}; ${settings.connections} connections, ` +
      `${settings.warmupSec} s warm-up + ${settings.durationSec} s per mode, ${settings.rounds} round(s); ` +
      `${cpus().length} CPU(s) shared by the load generator and the system under test, node ${process.version}, ` +
      `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`,
  );
  if (settings.workers > 1) {
    console.log(
      `BENCH_WORKERS=${settings.workers}: not used here, this benchmark measures one gateway process; ` +
        'several workers (`mimtrust start --workers N`) are measured by bench/scale.mjs (npm run bench:scale, see bench/README.md)',
    );
  }

  const dir = mkdtempSync(join(tmpdir(), 'mimtrust-bench-'));
  scratch.use(dir);
  try {
    // Imported only now: they load the compiled gateway, which checkBuild has found.
    const { gatewayConfig } = await import('./lib/gateway-config.mjs');
    const { prepareKeyMaterial } = await import('./lib/key-material.mjs');
    // Gateways run with the V8 settings `mimtrust start` gives its workers (npm start and the image give them too).
    const { GATEWAY_NODE_FLAGS } = await import('../dist/app/node-flags.js');

    const broker = await startRunner('broker', './run-broker.mjs', {});
    const shared = gatewayConfig({ dir, repo: REPO, upstream: broker.info.url, connections: settings.upstreamConnections });
    const keys = await prepareKeyMaterial(shared, settings.timeBoundMs / 1000 + 600);
    const modes = await startModes(settings, { dir, broker, keys, nodeFlags: GATEWAY_NODE_FLAGS });
    const gateways = modes.filter((m) => m.kind === 'gateway');

    // The same request everywhere; the broker and the bare proxy simply ignore the token.
    // The DPoP mode sends its DPoP-bound token with a proof made for its own origin.
    const headers = { accept: 'application/json', authorization: `Bearer ${keys.token}` };
    const dpopHeaders = { accept: 'application/json', authorization: `DPoP ${keys.dpop.token}` };
    const proofsFor = (mode, size) => proofPool(keys.dpop.key, { htm: 'GET', htu: mode.origin + PARKING_SPOT_PATH, accessToken: keys.dpop.token, size });
    const answers = await preflight(
      [
        { name: 'broker', origin: broker.info.url },
        ...modes.map((m) => ({ name: m.key, origin: m.origin, ...(m.dpop ? { headers: { ...dpopHeaders, dpop: proofsFor(m, 1).next() } } : {}) })),
      ],
      { path: PARKING_SPOT_PATH, headers, ca: keys.cert },
    );
    const reference = answers[0].body;
    const shown = modes.map((m, i) => ({ name: m.key, body: answers[i + 1].body, hides: m.hides }));
    const problems = viewProblems(reference, shown);
    if (problems.length) throw new Error(`preflight: the modes do not show what they should:\n  ${problems.join('\n  ')}`);
    const differing = differingBodies(reference, shown);
    if (differing.length) console.warn(`warning: ${differing.join(', ')} answered the entity with other bytes than the broker; the modes do not move the same bytes`);
    for (const m of modes.filter((x) => x.hides.length)) console.log(`preflight: ${m.key} hides ${m.hides.join(', ')}; the other modes show the broker's entity unchanged`);

    const runs = Object.fromEntries(modes.map((m) => [m.key, []]));
    for (let round = 1; round <= settings.rounds; round++) {
      for (const mode of modes) {
        // Proofs are signed before the run, enough for a fast gateway; a shortfall is signed on demand and reported.
        const proofs = mode.dpop ? proofsFor(mode, settings.dpopProofs) : undefined;
        process.stdout.write(`${settings.rounds > 1 ? `round ${round}: ` : ''}measuring ${mode.label} ... `);
        const run = await measure({
          url: mode.origin + PARKING_SPOT_PATH,
          headers: mode.dpop ? dpopHeaders : headers,
          ...(proofs ? { perRequest: () => ({ dpop: proofs.next() }) } : {}),
          connections: settings.connections,
          durationSec: settings.durationSec,
          warmupSec: settings.warmupSec,
          cpuMicros: () => mode.handle.cpuMicros(),
          gcMicros: () => mode.handle.gcMicros,
          mainMicros: () => mode.handle.mainMicros,
        });
        runs[mode.key].push(run);
        console.log(`${run.rps.toFixed(0)} req/s, p50 ${run.p50Ms.toFixed(3)} ms${proofs?.onDemand ? ` (${proofs.onDemand} proofs signed during the run: raise BENCH_DPOP_PROOFS)` : ''}`);
      }
    }
    const results = Object.fromEntries(modes.map((m) => [m.key, combineRounds(runs[m.key])]));

    // Stopping a gateway flushes and closes its audit log (and writes its CPU profile).
    const audits = {};
    for (const g of gateways) {
      const { received } = await g.handle.stop();
      audits[g.key] = { received, ...countAuditRows(g.handle.info.storePath) };
    }
    for (const m of modes.filter((x) => x.kind === 'bare')) await m.handle.stop();
    await broker.stop();

    console.log('');
    if (settings.rounds > 1) console.log(`figures are medians over ${settings.rounds} interleaved rounds; counts are totals`);
    console.log(formatTable(modes.map((m) => ({ label: m.label, m: results[m.key], rssMax: m.handle.rssMax }))));
    console.log('');
    const comparison = compare(results, Object.fromEntries(gateways.map((g) => [g.key, g.handle.rssMax])));
    console.log(formatComparison(comparison));
    const rounds = settings.rounds > 1 ? perRoundRatios(runs) : [];
    for (const r of rounds) console.log(`${r.name} throughput per round: ${r.ratios.map((x) => x.toFixed(2)).join(', ')}`);
    for (const g of gateways) {
      const at = g.handle.atRssMax;
      console.log(
        `${g.key}: RSS after start (idle) ${(g.handle.rssAtReady / MB).toFixed(1)} MB; max V8 heap used under load ${(g.handle.heapUsedMax / MB).toFixed(1)} MB` +
          (at
            ? `; at max RSS ${(at.rss / MB).toFixed(1)} MB: V8 heap ${(at.heapTotal / MB).toFixed(1)} (used ${(at.heapUsed / MB).toFixed(1)}), ` +
              `external ${(at.external / MB).toFixed(1)} (array buffers ${(at.arrayBuffers / MB).toFixed(1)}), native rest ${(at.native / MB).toFixed(1)} MB`
            : ''),
      );
    }

    const failures = [];
    for (const m of modes) {
      const r = results[m.key];
      if (r.non2xx || r.errors || r.timeouts || r.warmupNon2xx) {
        failures.push(`${m.label}: ${r.non2xx} non-2xx (${JSON.stringify(r.statusCodes)}), ${r.errors} errors, ${r.timeouts} timeouts, ${r.warmupNon2xx} non-2xx in warm-up`);
      }
    }
    // Exact: every read that reached a gateway's server has two records, its decision and
    // its outcome. Decisions bounded from below by what the load generator saw answered
    // (plus the preflight request).
    for (const g of gateways) {
      const audit = audits[g.key];
      const answered = results[g.key].completed + 1;
      console.log(
        `audit ${g.key}: ${audit.records} records (${audit.decisions} decisions), ${audit.checkpoints} checkpoints; the gateway received ${audit.received} requests, ` +
          `the load generator saw ${answered} answered (incl. preflight)`,
      );
      if (audit.decisions !== audit.received) failures.push(`${g.key}: decision records (${audit.decisions}) != requests received by the gateway (${audit.received})`);
      if (audit.records !== 2 * audit.received) failures.push(`${g.key}: audit records (${audit.records}) != a decision and an outcome for each request received (${2 * audit.received})`);
      if (audit.decisions < answered) failures.push(`${g.key}: decision records (${audit.decisions}) < responses answered (${answered})`);
    }

    if (settings.profile) {
      scratch.keep();
      for (const g of gateways) {
        const files = cpuProfilesOf(g.profileDir);
        console.log('');
        console.log(`${g.key} CPU profile, main thread: ${files.main} (summary of the measured runs only, without start-up and warm-up)`);
        if (files.workers.length) console.log(`worker threads (summarise with bench/lib/cpu-profile.mjs): ${files.workers.join(', ')}`);
        console.log(formatProfileSummary(summariseProfile(JSON.parse(readFileSync(files.main, 'utf8')), results[g.key].windows)));
      }
      // The ceiling's own profile over its measured runs, to set function by function beside the gateway's.
      for (const m of modes.filter((x) => x.kind === 'bare')) {
        const files = cpuProfilesOf(m.profileDir);
        console.log('');
        console.log(`${m.key} CPU profile, main thread: ${files.main} (summary of the measured runs only, without start-up and warm-up)`);
        console.log(formatProfileSummary(summariseProfile(JSON.parse(readFileSync(files.main, 'utf8')), results[m.key].windows)));
      }
    }

    if (settings.jsonOut) {
      const memory = Object.fromEntries(modes.map((m) => [m.key, { rssAtReady: m.handle.rssAtReady, rssMax: m.handle.rssMax, heapUsedMax: m.handle.heapUsedMax, atRssMax: m.handle.atRssMax }]));
      const { modes: _modes, ...plain } = settings;
      writeFileSync(
        settings.jsonOut,
        JSON.stringify({ settings: { ...plain, modes: modes.map((m) => m.key) }, cpus: cpus().length, loadavg: loadavg(), node: process.version, runs, results, comparison, perRound: rounds, audits, memory }, null, 2) + '\n',
      );
    }

    if (failures.length) {
      console.error('\nthe run is not valid:\n  ' + failures.join('\n  '));
      return 1;
    }
    console.log(`\nall responses were 200${gateways.length ? ' and every gateway request is in its audit log' : ''}`);
    return 0;
  } finally {
    cleanUp();
  }
}

runBenchmark(readSettings, main, cleanUp);
