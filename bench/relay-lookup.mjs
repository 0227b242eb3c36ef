// The relay's look-up of a subscription by relay hash, once per notification: the store
// read alone (SQLite, and PostgreSQL with BENCH_POSTGRES_URL or MIMTRUST_TEST_POSTGRES_URL)
// beside the same read through the in-memory copy (CachedSubscriptionStore). Prints the
// process CPU time (process.cpuUsage) and wall time per look-up; on PostgreSQL the server's
// own CPU is not counted, the round trip shows in the wall time.
// Run `npm run build` first; this script uses the compiled code in dist/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { InProcessChangeFeed } from '../dist/changes/index.js';
import { openPostgres, openSqlite, PgSubscriptionStore, SqliteSubscriptionStore } from '../dist/store/index.js';
import { CachedSubscriptionStore } from '../dist/subscriptions/index.js';

const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 20000);
const SUBSCRIPTIONS = 1000;

const record = (i) => ({
  relayHash: `hash-${i}`, tenant: '', subscriptionId: `urn:ngsi-ld:Subscription:${i}`,
  subscriber: { issuer: 'https://issuer.example', sub: `app-${i}`, clientId: `app-${i}`, roles: ['viewer'], purpose: 'dpv:ServiceProvision', consents: [`urn:uuid:${i}`] },
  endpoint: { uri: `https://hooks.example.org/${i}`, accept: 'application/json' },
  decided: { body: { type: 'Subscription', entities: [{ type: 'EnergyMeter' }], watchedAttributes: ['totalActiveEnergyImport'], notification: { attributes: ['totalActiveEnergyImport', 'owner'], format: 'normalized' } } },
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
});

async function measure(name, store, lookups) {
  for (let i = 0; i < SUBSCRIPTIONS; i++) await store.byRelayHash(`hash-${i}`); // warm-up, and fills the copy
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < lookups; i++) {
    if ((await store.byRelayHash(`hash-${i % SUBSCRIPTIONS}`)) === undefined) throw new Error('lost a subscription');
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const perCpu = (cpu.user + cpu.system) / lookups;
  console.log(`${name.padEnd(28)} ${perCpu.toFixed(2).padStart(8)} µs CPU  ${((wall * 1000) / lookups).toFixed(2).padStart(8)} µs wall  per look-up (${lookups})`);
  return perCpu;
}

async function compare(label, store, lookups) {
  for (let i = 0; i < SUBSCRIPTIONS; i++) await store.put(record(i));
  const feed = new InProcessChangeFeed();
  const read = await measure(`${label}: store`, store, lookups);
  const kept = await measure(`${label}: kept in memory`, new CachedSubscriptionStore(store, feed, SUBSCRIPTIONS * 2), lookups);
  console.log(`${label}: ${(read / kept).toFixed(1)}x less CPU per notification's look-up`);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-relay-'));
try {
  const db = openSqlite(join(dir, 'm.db'));
  await compare('SQLite', new SqliteSubscriptionStore(db), LOOKUPS);
  db.close();
  const url = process.env.BENCH_POSTGRES_URL ?? process.env.MIMTRUST_TEST_POSTGRES_URL;
  if (url !== undefined) {
    const schema = `bench_relay_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const scoped = new URL(url);
    scoped.searchParams.set('options', `-c search_path=${schema}`);
    const pool = await openPostgres(scoped.toString());
    try {
      await compare('PostgreSQL', new PgSubscriptionStore(pool), Math.min(LOOKUPS, 5000));
    } finally {
      await pool.end();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  } else {
    console.log('PostgreSQL: skipped (set BENCH_POSTGRES_URL)');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
