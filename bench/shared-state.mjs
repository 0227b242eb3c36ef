/**
 * What sharing state through the store costs a request, measured in this process (the
 * store's client side, as a gateway pays it): CPU time and wall time per operation and
 * round trips to the database, at 1 and 16 operations in flight, for
 *   dpop-local     the in-memory replay cache alone (SQLite, one process)
 *   dpop-pg        the cache, then the proof taken once in PostgreSQL (every instance)
 *   count-memory   a count limit checked and counted in memory (SQLite, one process)
 *   count-pg       the same in PostgreSQL, all keys of the request in one round trip
 *   nonce-pg       an OID4VCI c_nonce handed out and taken back (two round trips)
 *   offer-pg       a credential offer's code for a citizen with a free slot, then redeemed
 *                  (the slot claimed, the code stored and checked, taken, kept as used)
 *   offer-full-pg  the same for a citizen with every slot held: the oldest gives way first
 * CPU time (process.cpuUsage) is what the gateway's event loop spends; wall time includes
 * waiting for the database, which runs beside it on the same shared cores.
 *
 *   npm run build && BENCH_POSTGRES_URL=postgres://root@127.0.0.1:5432/test node bench/shared-state.mjs
 *   BENCH_OPS=5000 (per case and concurrency), BENCH_SYNCHRONOUS_COMMIT=off (the database's setting for this run)
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { integer } from './lib/settings.mjs';
import { checkBuild } from './lib/build-check.mjs';
import { runBenchmark } from './lib/supervisor.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const state = { schema: undefined, base: undefined, close: [] };

function readBenchSettings(env = process.env) {
  const url = env.BENCH_POSTGRES_URL ?? env.MIMTRUST_TEST_POSTGRES_URL;
  if (url === undefined || url === '') throw new Error('BENCH_POSTGRES_URL (or MIMTRUST_TEST_POSTGRES_URL) must name a PostgreSQL database, e.g. postgres://root@127.0.0.1:5432/test');
  const ops = integer(env, 'BENCH_OPS', 5000, 100);
  return { url, ops, timeBoundMs: 600_000 };
}

async function dropSchema() {
  for (const c of state.close.splice(0)) await c();
  if (state.schema === undefined) return;
  const client = new pg.Client({ connectionString: state.base });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${state.schema}" CASCADE`);
  await client.end();
  state.schema = undefined;
}

/** Runs `op(i)` `ops` times, `inFlight` at once; CPU and wall time per operation, in µs. */
async function measure(ops, inFlight, op) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < ops) await op(next++);
  }));
  const wall = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / ops, wallUs: wall / ops };
}

async function main(settings) {
  const warning = checkBuild(REPO);
  if (warning) console.warn(warning);
  const { DpopReplayCache, localReplay, sharedReplay } = await import('../dist/auth/index.js');
  const { UsageCounters } = await import('../dist/gateway/index.js');
  const { openPostgres, pgKeyTable, PgUsageCounters, StoredExpiringKeys } = await import('../dist/store/index.js');
  const { StoredSingleUse } = await import('../dist/lib/index.js');
  const { counterKey } = await import('../dist/policy/index.js');

  state.base = settings.url;
  state.schema = `bench_shared_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: settings.url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${state.schema}"`);
  await admin.end();
  const u = new URL(settings.url);
  // BENCH_SYNCHRONOUS_COMMIT=off: what commits cost when they do not wait for the WAL to reach the disk.
  const sync = process.env.BENCH_SYNCHRONOUS_COMMIT;
  u.searchParams.set('options', `-c search_path=${state.schema}${sync ? ` -c synchronous_commit=${sync}` : ''}`);
  const pool = await openPostgres(u.toString());
  // Round trips: every query the pool sends.
  let queries = 0;
  const query = pool.query.bind(pool);
  pool.query = (...args) => { queries++; return query(...args); };
  const keys = new StoredExpiringKeys(pgKeyTable(pool));
  const pgCounters = new PgUsageCounters(pool);
  state.close.push(async () => { keys.close(); pgCounters.close(); await pool.end(); });

  const nowSec = () => Math.floor(Date.now() / 1000);
  const jkt = randomBytes(32).toString('base64url');
  let run = 0;
  const cases = {
    'dpop-local': () => {
      const check = localReplay(new DpopReplayCache(1_000_000));
      const r = run++;
      return async (i) => { await check(jkt, `${r}-${i}`, nowSec() + 65, nowSec()); };
    },
    'dpop-pg': () => {
      const check = sharedReplay(new DpopReplayCache(1_000_000), keys, 1_000_000);
      const r = run++;
      return async (i) => { await check(jkt, `${r}-${i}`, nowSec() + 65, nowSec()); };
    },
    // One caller's key per request, far below its limit: every request is counted.
    'count-memory': () => {
      const counters = new UsageCounters();
      const r = run++;
      return async (i) => { counters.reserve([counterKey('urn:bench', 'urn:bench:r', `app${r}-${i % 500}`, 'PT1H', 3_600_000, Date.now())], [1_000_000]); };
    },
    'count-pg': () => {
      const r = run++;
      return async (i) => pgCounters.increment([counterKey('urn:bench', 'urn:bench:r', `app${r}-${i % 500}`, 'PT1H', 3_600_000, Date.now())], [1_000_000]);
    },
    // As the gateway keeps them (credentials.oid4vci defaults: 5 codes per citizen).
    'nonce-pg': () => {
      const nonces = new StoredSingleUse({ keys, name: `bench-nonce-${run++}`, max: 1_000_000 });
      return async () => { await nonces.take(await nonces.issue(true, Date.now() + 300_000)); };
    },
    'offer-pg': () => {
      const codes = new StoredSingleUse({ keys, name: `bench-code-${run}`, max: 1_000_000, maxPerOwner: 5, rememberUsed: true });
      const r = run++;
      return async (i) => { await codes.take(await codes.issue({ citizen: { issuer: 'urn:bench', sub: `c${r}-${i}` }, consentId: 'urn:bench', txCode: '123456' }, Date.now() + 600_000, `urn:bench c${r}-${i}`)); };
    },
    'offer-full-pg': () => {
      const codes = new StoredSingleUse({ keys, name: `bench-code-${run}`, max: 1_000_000, maxPerOwner: 5, rememberUsed: true });
      const r = run++;
      // 16 citizens whose 5 slots are all held after their first offers.
      return async (i) => { await codes.take(await codes.issue({ citizen: { issuer: 'urn:bench', sub: `c${r}-${i % 16}` }, consentId: 'urn:bench', txCode: '123456' }, Date.now() + 600_000, `urn:bench c${r}-${i % 16}`)); };
    },
  };

  console.log(`shared state benchmark: ${settings.ops} operations per case and concurrency, node ${process.version}, synchronous_commit ${process.env.BENCH_SYNCHRONOUS_COMMIT ?? 'as the server sets it'}`);
  const rows = [];
  for (const inFlight of [1, 16]) {
    for (const [name, make] of Object.entries(cases)) {
      await measure(Math.min(500, settings.ops), inFlight, make()); // warm-up
      const before = queries;
      const m = await measure(settings.ops, inFlight, make());
      rows.push({ case: name, inFlight, cpuUs: m.cpuUs.toFixed(1), wallUs: m.wallUs.toFixed(1), roundTrips: ((queries - before) / settings.ops).toFixed(3) });
    }
  }
  console.log('| case | in flight | CPU µs/op | wall µs/op | round trips/op |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.case} | ${r.inFlight} | ${r.cpuUs} | ${r.wallUs} | ${r.roundTrips} |`);
  await dropSchema();
  return 0;
}

runBenchmark(readBenchSettings, main, () => { void dropSchema(); });
