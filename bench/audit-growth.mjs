/**
 * How the audit log's cost grows: an audit log of BENCH_AUDIT_RECORDS (10,000,000) records
 * made by audit-fill.mjs, then the real `mimtrust audit verify` on it (wall and CPU time,
 * records/s, peak RSS from /usr/bin/time), a gateway started on it (start-up time: does it
 * read the chain?) and the same read through that gateway and through one on an empty
 * log, in one run.
 *
 *   npm run build && npm run bench:audit-growth
 *   BENCH_AUDIT_RECORDS (10,000,000)  BENCH_AUDIT_STORE: a log made before (with its keys folder beside it, `keys/`), not filled again
 *   BENCH_DURATION (5)  BENCH_WARMUP (1)  BENCH_CONNECTIONS (16)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBuild } from './lib/build-check.mjs';
import { checkDiskSpace, fillAuditLog } from './audit-fill.mjs';
import { measure } from './lib/load.mjs';
import { PARKING_SPOT_PATH } from './lib/parking-spot.mjs';
import { preflight } from './lib/preflight.mjs';
import { integer } from './lib/settings.mjs';
import { runBenchmark, scratchSpace, startRunner } from './lib/supervisor.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MB = 1024 * 1024;
const scratch = scratchSpace();
const cleanUp = () => scratch.cleanUp();

function readSettings(env = process.env) {
  const records = integer(env, 'BENCH_AUDIT_RECORDS', 10_000_000, 1);
  const durationSec = integer(env, 'BENCH_DURATION', 5, 1);
  const warmupSec = integer(env, 'BENCH_WARMUP', 1, 0);
  return {
    records,
    store: env.BENCH_AUDIT_STORE || undefined,
    durationSec,
    warmupSec,
    connections: integer(env, 'BENCH_CONNECTIONS', 16, 1),
    // Filling and verifying take minutes per million records on a busy 2-core machine.
    timeBoundMs: (600 + (records / 1_000_000) * 900 + 2 * (durationSec + warmupSec)) * 1000,
  };
}

/** `mimtrust audit verify` as an operator runs it, under /usr/bin/time: exit code, its output, wall and CPU seconds, peak RSS. */
function timedVerify(configFile) {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, join(REPO, 'dist', 'cli', 'index.js'), 'audit', 'verify', '--config', configFile], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

async function main(settings) {
  const warning = checkBuild(REPO);
  if (warning) console.warn(warning);
  console.log(`mimtrust audit growth benchmark: ${settings.store ? `the log in ${settings.store}` : `${settings.records} records`}; ${cpus().length} CPU(s) shared, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
  const dir = mkdtempSync(join(tmpdir(), 'mimtrust-bench-audit-'));
  scratch.use(dir);
  try {
    const { gatewayConfig } = await import('./lib/gateway-config.mjs');
    const { prepareKeyMaterial } = await import('./lib/key-material.mjs');
    const broker = await startRunner('broker', './run-broker.mjs', {});
    const base = { dir, repo: REPO, upstream: broker.info.url, connections: 128 };
    const big = gatewayConfig({ ...base, name: 'big' });
    let storePath = big.store.path;
    let keysDir = big.keysDir;
    if (settings.store) {
      storePath = settings.store;
      keysDir = join(dirname(settings.store), 'keys');
      if (!existsSync(storePath) || !existsSync(keysDir)) throw new Error(`BENCH_AUDIT_STORE: ${storePath} and ${keysDir} must both exist`);
    } else {
      const { need, free } = checkDiskSpace(dir, settings.records);
      console.log(`disk: ${(free / 1024 ** 3).toFixed(1)} GB free, about ${(need / 1024 ** 3).toFixed(1)} GB needed`);
      let shown = 0;
      const filled = await fillAuditLog({
        storePath, keysDir, anchorFile: big.audit.anchorFile, records: settings.records,
        onProgress: (written, ms) => {
          if (written - shown >= 1_000_000 || written === settings.records) {
            shown = written;
            console.log(`filled ${written} records in ${(ms / 1000).toFixed(0)} s`);
          }
        },
      });
      console.log(`audit log: ${filled.records} records, ${filled.checkpoints} checkpoints in ${(filled.ms / 1000).toFixed(0)} s`);
    }
    const anchorFile = join(dirname(storePath), 'audit-anchors.jsonl');
    const configFile = join(dir, 'verify.json');
    writeFileSync(configFile, JSON.stringify({ store: { path: storePath }, keysDir, upstream: { url: broker.info.url }, contractsDir: join(dir, 'no-contracts'), audit: { anchorFile: existsSync(anchorFile) ? anchorFile : null } }));
    mkdirSync(join(dir, 'no-contracts'), { recursive: true });

    // The same keys for both gateways (token, TLS): the big log's folder.
    const keys = await prepareKeyMaterial({ ...big, keysDir }, settings.timeBoundMs / 1000 + 600);
    const headers = { accept: 'application/json', authorization: `Bearer ${keys.token}` };
    const rows = [];
    const { countAuditRows } = await import('./lib/audit-count.mjs');
    const held = countAuditRows(storePath).records;
    // The gateways first: a verify of millions of records on a busy machine can outlast the run's bound.
    for (const [label, path] of [['empty audit log', join(dir, 'empty.db')], [`audit log of ${held} records`, storePath]]) {
      const g = await startRunner(`gateway (${label})`, './run-gateway.mjs', { ...base, name: 'gw', keysDir, storePath: path }, { readyTimeoutMs: 600_000 });
      await preflight([{ name: label, origin: g.info.url }], { path: PARKING_SPOT_PATH, headers, ca: keys.cert });
      process.stdout.write(`measuring the gateway on the ${label} ... `);
      const run = await measure({ url: g.info.url + PARKING_SPOT_PATH, headers, connections: settings.connections, durationSec: settings.durationSec, warmupSec: settings.warmupSec });
      const { received, cpuMicros } = await g.stop();
      console.log(`${run.rps.toFixed(0)} req/s, p50 ${run.p50Ms.toFixed(3)} ms`);
      if (run.non2xx || run.errors || run.timeouts) throw new Error(`${label}: ${run.non2xx} non-2xx, ${run.errors} errors, ${run.timeouts} timeouts`);
      rows.push({ label, run, startMs: g.info.startMs, startCpuMs: g.info.startCpuMs, rssAtReady: g.rssAtReady, rssMax: g.rssMax, cpuPerRequestUs: cpuMicros / received });
    }
    await broker.stop();

    process.stdout.write('mimtrust audit verify ... ');
    const v = timedVerify(configFile);
    const time = /TIME (\S+) (\S+) (\S+) (\d+)/.exec(v.out);
    const said = v.out.split('\n').find((l) => l.includes('audit log')) ?? v.out.trim();
    const records = Number(/(\d+) records/.exec(said)?.[1] ?? NaN);
    console.log(said);
    if (v.code !== 0 || !time) throw new Error(`audit verify did not find the log intact (exit ${v.code}): ${v.out.slice(0, 400)}`);
    const [wall, user, sys, rssKb] = time.slice(1).map(Number);
    const verify = { records, wallSec: wall, cpuSec: user + sys, rssMb: rssKb / 1024 };

    console.log('');
    console.log(`audit verify: ${verify.records} records in ${verify.wallSec.toFixed(1)} s wall, ${verify.cpuSec.toFixed(1)} s CPU: ` +
      `${Math.round(verify.records / verify.wallSec)} records/s (wall), ${Math.round(verify.records / verify.cpuSec)} records/s (CPU); peak RSS ${verify.rssMb.toFixed(0)} MB`);
    for (const r of rows) {
      console.log(`gateway on the ${r.label}: start ${(r.startMs / 1000).toFixed(2)} s (${(r.startCpuMs / 1000).toFixed(2)} s CPU), RSS ${(r.rssAtReady / MB).toFixed(0)} MB idle, ` +
        `${(r.rssMax / MB).toFixed(0)} MB max; ${r.run.rps.toFixed(0)} req/s, p50 ${r.run.p50Ms.toFixed(3)} ms, p99 ${r.run.p99Ms.toFixed(3)} ms, ${r.cpuPerRequestUs.toFixed(0)} µs CPU/request`);
    }
    return 0;
  } finally {
    cleanUp();
  }
}

runBenchmark(readSettings, main, cleanUp);
