/**
 * Scaling out on one machine: mimtrust with 1 and 2 worker processes (`start --workers`,
 * durable audit, contracts enforced, PostgreSQL store, or with BENCH_STORE=sqlite the
 * embedded SQLite file, each worker an audit segment of it) beside what else could stand in
 * front of the same broker: the broker asked directly, a bare Node HTTPS proxy (node:https
 * + undici, the same certificate) in 1 and 2 processes, and nginx with 1 and 2 worker
 * processes when it is installed. Each at 16 and 64 connections, rounds interleaved, each
 * figure the median over rounds; RSS is per process (each worker's; the primary's apart).
 *
 *   npm run build && BENCH_POSTGRES_URL=postgres://root@127.0.0.1:5432/test npm run bench:scale
 *   npm run build && BENCH_STORE=sqlite npm run bench:scale
 *   BENCH_ROUNDS=2 BENCH_DURATION=5 BENCH_WARMUP=1 (defaults); MIMTRUST_TEST_POSTGRES_URL is used when BENCH_POSTGRES_URL is not set.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { checkBuild } from './lib/build-check.mjs';
import { gatewayConfig } from './lib/gateway-config.mjs';
import { prepareKeyMaterial } from './lib/key-material.mjs';
import { measure } from './lib/load.mjs';
import { PARKING_SPOT_ID } from './lib/parking-spot.mjs';
import { killAll, startRunner } from './lib/supervisor.mjs';
import { childPids, freePort, killMimtrusts, rssMb, startMimtrust } from './lib/mimtrust-cli.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const warning = checkBuild(REPO);
if (warning) console.error(warning);
const ON_SQLITE = process.env.BENCH_STORE === 'sqlite';
const BASE_URL = ON_SQLITE ? undefined : process.env.BENCH_POSTGRES_URL ?? process.env.MIMTRUST_TEST_POSTGRES_URL;
if (!ON_SQLITE && !BASE_URL) {
  console.error('set BENCH_POSTGRES_URL (e.g. postgres://root@127.0.0.1:5432/test), or BENCH_STORE=sqlite for the embedded store');
  process.exit(2);
}
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const CONNECTIONS = [16, 64];
const CONTRACTS = 'bench/fixtures/contracts-full';
const PATH = `/ngsi-ld/v1/entities/${encodeURIComponent(PARKING_SPOT_ID)}`;

const dir = mkdtempSync(join(tmpdir(), 'mimtrust-bench-scale-'));
const schema = `bench_${randomBytes(4).toString('hex')}`;
const admin = ON_SQLITE ? undefined : new pg.Client({ connectionString: BASE_URL });
const children = [];

/** `mimtrust start --workers N` as an operator runs it; resolves with its URL and the pids serving. */
function startMimtrustOn(workers, upstream, storeUrl, ca) {
  return startMimtrust({
    home: join(dir, `mimtrust-${workers}`),
    workers,
    ca,
    config: {
      keysDir: join(dir, 'keys'),
      store: { path: join(dir, `mimtrust-${workers}`, 'mimtrust.db'), url: storeUrl },
      policiesDir: join(REPO, 'policies'),
      contractsDir: join(REPO, CONTRACTS),
      enforceContracts: true,
      watchContracts: false,
      logLevel: 'warn',
      upstream: { url: upstream, connections: 128 },
    },
  });
}

function nginxMissing() {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'nginx is not installed (Debian: apt-get install nginx): its rows are skipped';
  }
}

async function startNginx(processes, upstream, certFile, keyFile) {
  const port = await freePort();
  const home = join(dir, `nginx-${processes}`);
  mkdirSync(home, { recursive: true });
  const u = new URL(upstream);
  writeFileSync(join(home, 'nginx.conf'), `
worker_processes ${processes};
daemon off;
pid ${home}/nginx.pid;
error_log ${home}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  upstream broker { server ${u.host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${certFile};
    ssl_certificate_key ${keyFile};
    location / { proxy_pass http://broker; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`);
  const child = spawn('nginx', ['-p', home, '-c', join(home, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  await new Promise((r) => setTimeout(r, 500));
  return { url: `https://127.0.0.1:${port}`, pids: childPids(child.pid), stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGQUIT'); }) };
}

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };

try {
  let storeUrl = null;
  if (admin) {
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const url = new URL(BASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    storeUrl = url.toString();
  }
  console.error(`mimtrust store: ${ON_SQLITE ? 'SQLite file' : 'PostgreSQL'}`);

  const broker = await startRunner('broker', './run-broker.mjs', {});
  const upstream = broker.info.url;
  const keyConfig = gatewayConfig({ dir, repo: REPO, upstream, connections: 128, enforceContracts: true, contractsDir: CONTRACTS });
  const keys = await prepareKeyMaterial(keyConfig, 3600);
  const auth = { authorization: `Bearer ${keys.token}` };

  const targets = [{ key: 'direct', label: 'broker, direct (http)', procs: 1, url: upstream, headers: {}, pids: [broker.child.pid] }];
  const stops = [];
  for (const processes of [1, 2]) {
    const bare = await startRunner(`bare proxy x${processes}`, './run-bare-proxy-cluster.mjs', { upstream, certFile: keys.certFile, keyFile: keys.keyFile, connections: 128, processes });
    targets.push({ key: `bare-${processes}`, label: 'bare Node proxy', procs: processes, url: bare.info.url, headers: auth, pids: bare.info.pids });
    stops.push(() => bare.stop());
  }
  const missing = nginxMissing();
  if (missing) console.error(missing);
  else {
    for (const processes of [1, 2]) {
      const n = await startNginx(processes, upstream, keys.certFile, keys.keyFile);
      targets.push({ key: `nginx-${processes}`, label: 'nginx', procs: processes, url: n.url, headers: auth, pids: n.pids });
      stops.push(n.stop);
    }
  }
  for (const workers of [1, 2]) {
    const m = await startMimtrustOn(workers, upstream, storeUrl, keys.cert);
    targets.push({ key: `mimtrust-${workers}`, label: 'mimtrust (audit, contracts)', procs: workers, url: m.url, headers: auth, pids: m.pids, primary: m.primary });
    stops.push(m.stop);
  }

  const runs = new Map();
  const rss = new Map();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const connections of CONNECTIONS) {
      for (const t of targets) {
        const r = await measure({ url: `${t.url}${PATH}`, headers: t.headers, connections, durationSec: DURATION, warmupSec: WARMUP });
        if (r.non2xx > 0 || r.errors > 0) console.error(`${t.key} at ${connections}: ${r.non2xx} non-2xx, ${r.errors} errors ${JSON.stringify(r.statusCodes)}`);
        const k = `${t.key}@${connections}`;
        runs.set(k, [...(runs.get(k) ?? []), r]);
        rss.set(t.key, Math.max(rss.get(t.key) ?? 0, ...t.pids.map(rssMb)));
      }
      console.error(`round ${round}, ${connections} connections done`);
    }
  }

  const rps = (key, c) => median((runs.get(`${key}@${c}`) ?? []).map((r) => r.rps));
  console.log(`\n${ROUNDS} rounds of ${DURATION} s (after ${WARMUP} s of warm-up), medians; GET of one entity; RSS: the largest process, MB\n`);
  console.log('| target | processes | connections | req/s | p50 ms | p99 ms | RSS/process | vs bare proxy (same processes) | vs nginx (same processes) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const connections of CONNECTIONS) {
    for (const t of targets) {
      const rs = runs.get(`${t.key}@${connections}`);
      const own = rps(t.key, connections);
      const bare = rps(`bare-${t.procs}`, connections);
      const nginx = rps(`nginx-${t.procs}`, connections);
      console.log(`| ${t.label} | ${t.procs} | ${connections} | ${fmt(own)} | ${fmt(median(rs.map((r) => r.p50Ms)), 2)} | ${fmt(median(rs.map((r) => r.p99Ms)), 2)} | ${fmt(rss.get(t.key))} | ${t.key === 'direct' ? '-' : fmt(own / bare, 2)} | ${Number.isFinite(nginx) && t.key !== 'direct' ? fmt(own / nginx, 2) : '-'} |`);
    }
  }
  for (const t of targets.filter((x) => x.primary !== undefined)) {
    console.log(`\nmimtrust with ${t.procs} workers: the primary, which supervises and serves nothing, holds ${fmt(rssMb(t.primary))} MB`);
  }
  for (const c of CONNECTIONS) {
    console.log(`\nat ${c} connections: mimtrust 2 workers / 1 worker = ${fmt(rps('mimtrust-2', c) / rps('mimtrust-1', c), 2)}; bare proxy 2 / 1 = ${fmt(rps('bare-2', c) / rps('bare-1', c), 2)}`);
  }
  for (const stop of stops) await stop();
  await broker.stop();
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  killMimtrusts();
  killAll();
  await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await admin?.end().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
