/**
 * How the gateway's cost grows with its contracts: the same read (one ParkingSpot by id,
 * role `viewer`) through the real gateway holding 10, 1,000 and 10,000 generated contracts
 * (lib/contract-set.mjs), beside the broker asked directly and the bare proxy, in one run.
 * Each set is loaded two ways, since they are read differently at start: as files in the
 * contracts folder, and as contracts of the admin API already in the store. Per set:
 * start-up time (wall and CPU of startGateway in the gateway process), RSS idle after
 * start and under load, throughput and p50/p99, the gateway's CPU time per request received
 * (less moved by other load on the machine than requests/s); for the API set also how long creating
 * one more contract through POST /admin/contracts takes with that many in force.
 *
 *   npm run build && npm run bench:growth
 *   BENCH_CONTRACTS=10,1000,10000  BENCH_DURATION=5  BENCH_WARMUP=1  BENCH_CONNECTIONS=16  BENCH_API_POSTS=20
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { checkBuild } from './lib/build-check.mjs';
import { growthContract, matchingContracts } from './lib/contract-set.mjs';
import { measure } from './lib/load.mjs';
import { PARKING_SPOT_PATH } from './lib/parking-spot.mjs';
import { preflight, viewProblems } from './lib/preflight.mjs';
import { integer } from './lib/settings.mjs';
import { runBenchmark, scratchSpace, startRunner } from './lib/supervisor.mjs';
import { countAuditRows } from './lib/audit-count.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MB = 1024 * 1024;
const scratch = scratchSpace();
const cleanUp = () => scratch.cleanUp();

function readSettings(env = process.env) {
  const sizes = (env.BENCH_CONTRACTS ?? '10,1000,10000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error(`BENCH_CONTRACTS must be a comma list of positive integers, got "${env.BENCH_CONTRACTS}"`);
  const durationSec = integer(env, 'BENCH_DURATION', 5, 1);
  const warmupSec = integer(env, 'BENCH_WARMUP', 1, 0);
  const runs = 2 + sizes.length * 2;
  // Start-up grows with the contracts: a minute per thousand is far above what it takes.
  const startSlackSec = sizes.reduce((s, n) => s + 2 * (30 + Math.ceil(n / 1000) * 60), 0);
  return {
    sizes,
    durationSec,
    warmupSec,
    connections: integer(env, 'BENCH_CONNECTIONS', 16, 1),
    apiPosts: integer(env, 'BENCH_API_POSTS', 20, 0),
    timeBoundMs: (runs * (durationSec + warmupSec) + 60 + startSlackSec) * 1000,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The generated set as files, one contract each, as an operator's folder holds them. */
function writeContractFiles(folder, n) {
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(folder, `contract-${i}.jsonld`), JSON.stringify(growthContract(i), null, 2));
}

/** The generated set as contracts of the admin API, in the store the gateway will open (the operator's namespace). */
async function storeContracts(storePath, n) {
  const { openSqlite, SqliteContractStore } = await import('../dist/store/index.js');
  const db = openSqlite(storePath);
  try {
    const store = new SqliteContractStore(db);
    const at = new Date().toISOString();
    db.transaction(() => {
      for (let i = 0; i < n; i++) void store.put(null, growthContract(i).uid, growthContract(i), at);
    })();
  } finally {
    db.close();
  }
}

/** Creates contracts through the admin API one after another; the time each POST took, in ms. */
async function postContracts(origin, ca, token, from, count) {
  const agent = new Agent({ connect: { ca, servername: 'localhost' } });
  const times = [];
  try {
    for (let i = from; i < from + count; i++) {
      const t0 = performance.now();
      const res = await agent.request({
        origin, path: '/admin/contracts', method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(growthContract(i)),
      });
      const text = await res.body.text();
      times.push(performance.now() - t0);
      if (res.statusCode !== 201) throw new Error(`POST /admin/contracts answered ${res.statusCode}: ${text.slice(0, 300)}`);
    }
  } finally {
    await agent.close();
  }
  return times;
}

async function main(settings) {
  const warning = checkBuild(REPO);
  if (warning) console.warn(warning);
  console.log(
    `mimtrust growth benchmark: ${settings.sizes.join(', ')} contracts, as files and as admin API contracts; ${settings.connections} connections, ` +
      `${settings.warmupSec} s warm-up + ${settings.durationSec} s per run; ${cpus().length} CPU(s) shared by the load generator and the system under test, ` +
      `node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'mimtrust-bench-growth-'));
  scratch.use(dir);
  try {
    const { gatewayConfig } = await import('./lib/gateway-config.mjs');
    const { prepareKeyMaterial } = await import('./lib/key-material.mjs');
    const { loadOrCreateSigningKey } = await import('../dist/keys/index.js');
    const { issueLocalToken, LOCAL_ISSUER_KEY_NAME } = await import('../dist/issuer/index.js');

    const broker = await startRunner('broker', './run-broker.mjs', {});
    const shared = gatewayConfig({ dir, repo: REPO, upstream: broker.info.url, connections: 128 });
    const keys = await prepareKeyMaterial(shared, settings.timeBoundMs / 1000 + 600);
    const adminToken = await issueLocalToken(
      await loadOrCreateSigningKey(shared.keysDir, LOCAL_ISSUER_KEY_NAME),
      { issuer: shared.localIssuer.issuer, audience: shared.localIssuer.audience },
      { sub: 'bench-contract-admin', roles: ['contract-admin'], ttlSec: settings.timeBoundMs / 1000 + 600 },
    );
    const headers = { accept: 'application/json', authorization: `Bearer ${keys.token}` };
    const load = (origin) => measure({ url: origin + PARKING_SPOT_PATH, headers, connections: settings.connections, durationSec: settings.durationSec, warmupSec: settings.warmupSec });
    const [reference] = await preflight([{ name: 'broker', origin: broker.info.url }], { path: PARKING_SPOT_PATH, headers, ca: keys.cert });

    const rows = [];
    const failures = [];
    const noteRun = (label, run, extra = {}) => {
      rows.push({ label, run, ...extra });
      if (run.non2xx || run.errors || run.timeouts || run.warmupNon2xx) failures.push(`${label}: ${run.non2xx} non-2xx (${JSON.stringify(run.statusCodes)}), ${run.errors} errors, ${run.timeouts} timeouts, ${run.warmupNon2xx} non-2xx in warm-up`);
      console.log(`${run.rps.toFixed(0)} req/s, p50 ${run.p50Ms.toFixed(3)} ms, p99 ${run.p99Ms.toFixed(3)} ms`);
    };

    process.stdout.write('measuring direct (http) ... ');
    noteRun('direct (http)', await load(broker.info.url));
    const bare = await startRunner('bare proxy', './run-bare-proxy.mjs', { upstream: broker.info.url, certFile: keys.certFile, keyFile: keys.keyFile, connections: 128 });
    process.stdout.write('measuring bare proxy (https) ... ');
    noteRun('bare proxy (https)', await load(bare.info.url));
    await bare.stop();

    for (const n of settings.sizes) {
      for (const path of ['files', 'api']) {
        const name = `${path}-${n}`;
        const contractsDir = join(dir, `contracts-${name}`);
        mkdirSync(contractsDir, { recursive: true });
        const options = { dir, repo: REPO, upstream: broker.info.url, connections: 128, name, enforceContracts: true, contractsDir };
        if (path === 'files') writeContractFiles(contractsDir, n);
        else await storeContracts(gatewayConfig(options).store.path, n);
        const readyTimeoutMs = (30 + Math.ceil(n / 1000) * 60) * 1000;
        const t0 = performance.now();
        const g = await startRunner(`gateway ${name}`, './run-gateway.mjs', options, { readyTimeoutMs });
        const forkToReadyMs = performance.now() - t0;
        const [answer] = await preflight([{ name, origin: g.info.url }], { path: PARKING_SPOT_PATH, headers, ca: keys.cert });
        const problems = viewProblems(reference.body, [{ name, body: answer.body, hides: [] }]);
        if (problems.length) throw new Error(`preflight: ${problems.join('; ')}`);
        const label = `${n} contracts (${path === 'files' ? 'files' : 'admin API'})`;
        process.stdout.write(`measuring ${label}, ${matchingContracts(n)} of them granting the read ... `);
        const run = await load(g.info.url);
        const posts = path === 'api' && settings.apiPosts > 0 ? await postContracts(g.info.url, keys.cert, adminToken, n, settings.apiPosts) : [];
        const { received, cpuMicros } = await g.stop();
        const audit = countAuditRows(g.info.storePath);
        // Two records per request received, reads and contracts created alike: its decision, then its outcome.
        if (audit.decisions !== received) failures.push(`${label}: decision records (${audit.decisions}) != requests received (${received})`);
        if (audit.records !== 2 * received) failures.push(`${label}: audit records (${audit.records}, ${audit.decisions} decisions) != a decision and an outcome per request received (${2 * received})`);
        noteRun(label, run, { n, path, startMs: g.info.startMs, startCpuMs: g.info.startCpuMs, forkToReadyMs, rssAtReady: g.rssAtReady, rssMax: g.rssMax, posts, cpuPerRequestUs: cpuMicros / received });
      }
    }
    await broker.stop();

    const bareRps = rows[1].run.rps;
    console.log('');
    const header = ['run', 'req/s', '/bare', 'p50 ms', 'p99 ms', 'CPU µs/req', 'start s', 'start CPU s', 'RSS idle MB', 'RSS max MB', 'POST ms (median)'];
    const body = rows.map((r) => [
      r.label, r.run.rps.toFixed(0), (r.run.rps / bareRps).toFixed(2), r.run.p50Ms.toFixed(3), r.run.p99Ms.toFixed(3),
      r.cpuPerRequestUs === undefined ? '' : r.cpuPerRequestUs.toFixed(0),
      r.startMs === undefined ? '' : (r.startMs / 1000).toFixed(2), r.startCpuMs === undefined ? '' : (r.startCpuMs / 1000).toFixed(2),
      r.rssAtReady === undefined ? '' : (r.rssAtReady / MB).toFixed(0), r.rssMax === undefined ? '' : (r.rssMax / MB).toFixed(0),
      r.posts?.length ? median(r.posts).toFixed(1) : '',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log([line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n'));
    const sized = rows.filter((r) => r.n !== undefined);
    for (const path of ['files', 'api']) {
      const mine = sized.filter((r) => r.path === path).sort((a, b) => a.n - b.n);
      if (mine.length < 2) continue;
      const [first, last] = [mine[0], mine[mine.length - 1]];
      console.log(`${path}: throughput with ${last.n} / with ${first.n} contracts: ${(last.run.rps / first.run.rps).toFixed(2)}; added p50 ${(last.run.p50Ms - first.run.p50Ms).toFixed(3)} ms`);
    }
    if (failures.length) {
      console.error('\nthe run is not valid:\n  ' + failures.join('\n  '));
      return 1;
    }
    console.log('\nall responses were 200 and every gateway request is in its audit log');
    return 0;
  } finally {
    cleanUp();
  }
}

runBenchmark(readSettings, main, cleanUp);
