/**
 * The login throttle with its failures counted in memory (one gateway) and in PostgreSQL
 * (when the test database is set), where two throttles on one database stand for two
 * instances, and in one SQLite file, where two connections stand for two workers: failures made at one count at the other, the database keeps only the newest
 * failures of a key, under a hash, and sweeps them once their window has passed. Attempts
 * sent at once, to one throttle or to both, get no more tries than the limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_MEMORY, LoginThrottle, type FailureCounters } from '../../src/issuer/login-throttle.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres, openSqlite, PgLoginFailures, SqliteLoginFailures, type PgPool, type SqliteDatabase } from '../../src/store/index.js';
import { freshSchema, havePostgres, type TestSchema } from '../helpers/postgres.js';

const settings = { perAccountAndAddress: 2, perAddress: 3, perAccount: 4, windowSec: 60 };

interface Place {
  name: string;
  /** A fresh set of counters, and a second view of the same ones (another instance), where there is one. */
  open(): Promise<{ counters: FailureCounters; other: FailureCounters | undefined }>;
}

let schema: TestSchema | undefined;
let pool: PgPool | undefined;

// The workers of one gateway on SQLite: two connections to one file stand for two workers.
const dir = mkdtempSync(join(tmpdir(), 'mimtrust-login-failures-'));
const sqliteFile = join(dir, 'store.db');
const connections: SqliteDatabase[] = [];

const places: Place[] = [
  { name: 'memory', open: async () => ({ counters: IN_MEMORY, other: undefined }) },
  {
    name: 'SQLite',
    open: async () => {
      const a = openSqlite(sqliteFile);
      const b = openSqlite(sqliteFile);
      connections.push(a, b);
      // Each test starts from an empty table.
      a.exec('DELETE FROM login_failures');
      const fa = new SqliteLoginFailures(a);
      const fb = new SqliteLoginFailures(b);
      return { counters: (n, l) => fa.counter(n, l), other: (n, l) => fb.counter(n, l) };
    },
  },
];
if (havePostgres()) {
  places.push({
    name: 'PostgreSQL',
    open: async () => {
      // Each test starts from an empty table.
      await pool!.query('DELETE FROM login_failures');
      const a = new PgLoginFailures(pool!);
      const b = new PgLoginFailures(pool!);
      return { counters: (n, l) => a.counter(n, l), other: (n, l) => b.counter(n, l) };
    },
  });
}

beforeAll(async () => {
  if (!havePostgres()) return;
  schema = await freshSchema();
  pool = await openPostgres(schema.url);
});

afterAll(async () => {
  for (const c of connections) c.close();
  rmSync(dir, { recursive: true, force: true });
  await pool?.end();
  await schema?.drop();
});

describe.each(places)('LoginThrottle, failures counted in $name', (place) => {
  it('throttles one account from one address, whatever the case of the name, and not that account elsewhere', async () => {
    const t = new LoginThrottle(settings, (await place.open()).counters);
    await t.failed('Alice', '10.0.0.1', 0);
    await t.failed(' alice', '10.0.0.1', 0);
    expect(await t.waitMs('ALICE', '10.0.0.1', 1)).toBe(59_999);
    expect(await t.waitMs('alice', '10.0.0.2', 1)).toBe(0);
    expect(await t.waitMs('ALICE', '10.0.0.1', 60_000)).toBe(0);
  });

  it('throttles an address trying many accounts, and an account tried from many addresses', async () => {
    const t = new LoginThrottle(settings, (await place.open()).counters);
    for (const name of ['a', 'b', 'c']) await t.failed(name, '10.0.0.9', 0);
    expect(await t.waitMs('d', '10.0.0.9', 1)).toBeGreaterThan(0);
    for (const addr of ['1', '2', '3', '4']) await t.failed('carol', addr, 0);
    expect(await t.waitMs('carol', '5', 1)).toBeGreaterThan(0);
  });

  it('counts a whole IPv6 /64 as one address: a guesser cannot step through its addresses', async () => {
    const t = new LoginThrottle(settings, (await place.open()).counters);
    await t.failed('alice', '2001:db8:1:2::1', 0);
    await t.failed('alice', '2001:db8:1:2::2', 0);
    expect(await t.waitMs('alice', '2001:db8:1:2:ffff::3', 1)).toBe(59_999);
    for (const [i, name] of ['a', 'b', 'c'].entries()) await t.failed(name, `2001:db8:1:2::${i + 10}`, 0);
    expect(await t.waitMs('d', '2001:db8:1:2:abcd::1', 1)).toBeGreaterThan(0);
    // The next /64 is someone else.
    expect(await t.waitMs('d', '2001:db8:1:3::1', 1)).toBe(0);
  });

  it('counts an IPv4 client the same on an IPv4 and on a dual-stack socket', async () => {
    const t = new LoginThrottle(settings, (await place.open()).counters);
    await t.failed('alice', '198.51.100.4', 0);
    await t.failed('alice', '::ffff:198.51.100.4', 0);
    expect(await t.waitMs('alice', '198.51.100.4', 1)).toBe(59_999);
  });

  it('the wait ends when the older of the last two failures of the pair leaves the window', async () => {
    const t = new LoginThrottle(settings, (await place.open()).counters);
    await t.failed('bob', '10.0.0.3', 0);
    await t.failed('bob', '10.0.0.3', 10_000);
    await t.failed('bob', '10.0.0.3', 20_000);
    expect(await t.waitMs('bob', '10.0.0.3', 30_000)).toBe(40_000);
  });

  it('gives attempts sent at once no more tries than the limit: each is counted before its password is checked', async () => {
    const t = new LoginThrottle(settings, (await place.open()).counters);
    const waits = await Promise.all(Array.from({ length: 8 }, () => t.attempt('frank', '10.0.0.5', 0)));
    expect(waits.filter((w) => w === 0)).toHaveLength(2);
    expect(waits.filter((w) => w > 0)).toHaveLength(6);
    expect(await t.waitMs('frank', '10.0.0.5', 1)).toBe(59_999);
  });

  it('takes a right attempt back, and leaves nothing counted of a throttled one', async () => {
    const t = new LoginThrottle(settings, (await place.open()).counters);
    for (let i = 0; i < 5; i++) {
      expect(await t.attempt('grace', '10.0.0.6', i)).toBe(0);
      await t.succeeded('grace', '10.0.0.6', i);
    }
    // Five right logins: neither the address (limit 3) nor the account (limit 4) waits.
    expect(await t.waitMs('heidi', '10.0.0.6', 10)).toBe(0);
    expect(await t.waitMs('grace', '10.0.0.7', 10)).toBe(0);
    expect(await t.attempt('ivan', '10.0.0.8', 0)).toBe(0);
    expect(await t.attempt('ivan', '10.0.0.8', 0)).toBe(0);
    for (let i = 0; i < 5; i++) expect(await t.attempt('ivan', '10.0.0.8', 1)).toBeGreaterThan(0);
    // Two wrong ones counted against the address (limit 3), the refused ones not.
    expect(await t.waitMs('judy', '10.0.0.8', 2)).toBe(0);
  });

  it('a right password clears that account\'s failures from that address only', async () => {
    const t = new LoginThrottle(settings, (await place.open()).counters);
    await t.failed('eve', '10.0.0.4', 0);
    await t.failed('eve', '10.0.0.4', 0);
    await t.succeeded('eve', '10.0.0.4');
    expect(await t.waitMs('eve', '10.0.0.4', 1)).toBe(0);
  });
});

const shared = places.filter((p) => p.name !== 'memory');
const postgres = (): Place => places.find((p) => p.name === 'PostgreSQL')!;

describe.each(shared)('failures counted in $name', (place) => {
  it('failures made at one instance or worker count at the other', async () => {
    const { counters, other } = await place.open();
    const a = new LoginThrottle(settings, counters);
    const b = new LoginThrottle(settings, other);
    await a.failed('alice', '10.0.0.1', 0);
    expect(await b.waitMs('alice', '10.0.0.1', 1)).toBe(0);
    await b.failed('alice', '10.0.0.1', 0);
    expect(await a.waitMs('alice', '10.0.0.1', 1)).toBe(59_999);
    expect(await b.waitMs('alice', '10.0.0.1', 1)).toBe(59_999);
  });

  it('attempts at both at once get no more tries than the limit in all', async () => {
    const { counters, other } = await place.open();
    const a = new LoginThrottle(settings, counters);
    const b = new LoginThrottle(settings, other);
    for (let round = 0; round < 5; round++) {
      const waits = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).attempt(`ken-${round}`, `10.0.1.${round}`, 0)));
      expect(waits.filter((w) => w === 0), `round ${round}`).toHaveLength(2);
    }
  });
});

describe.skipIf(!havePostgres())('failures counted in PostgreSQL', () => {
  it('keeps only the newest failures a wait depends on, under hashes, and sweeps them after their window in batches', async () => {
    const { counters } = await postgres().open();
    const t = new LoginThrottle(settings, counters);
    for (let i = 0; i < 10; i++) await t.failed('mallory', '192.0.2.7', i);
    const rows = (await pool!.query<{ key: string; n: string }>('SELECT key, count(*) AS n FROM login_failures GROUP BY key ORDER BY n')).rows;
    // Pair (2), address (3), account (4): each kept to its limit.
    expect(rows.map((r) => Number(r.n))).toEqual([2, 3, 4]);
    for (const r of rows) {
      expect(r.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(r.key).not.toContain('mallory');
    }
    const failures = new PgLoginFailures(pool!);
    expect(await failures.sweep(60_000, 100)).toBe(0);
    expect(await failures.sweep(60_010, 4)).toBe(4);
    expect(await failures.sweep(60_010, 100)).toBe(5);
  });
});
