/**
 * Usage counters in PostgreSQL (MIMTRUST_TEST_POSTGRES_URL), as several instances count
 * them: a limit of N permits exactly N requests across two connection pools counting at
 * once; a request is counted against all its keys or none; a window that closed starts
 * again; the bound on keys refuses new ones, and an unreachable database refuses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { counterKey } from '../../src/policy/index.js';
import { openPostgres, PgUsageCounters, type PgPool } from '../../src/store/index.js';
import { freshSchema, havePostgres, warnIfNoPostgres, type TestSchema } from '../helpers/postgres.js';

warnIfNoPostgres('usage counters on PostgreSQL');

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3600_000;
const outcome = (p: Promise<void>) => p.then(() => 'counted', (e: { reason?: string }) => e.reason ?? 'no reason');

describe.skipIf(!havePostgres())('usage counters on PostgreSQL', () => {
  let schema: TestSchema | undefined;
  const pools: PgPool[] = [];
  const made: PgUsageCounters[] = [];
  const counters = async (now: () => number, maxKeys?: number) => {
    schema ??= await freshSchema();
    const pool = await openPostgres(schema.url);
    pools.push(pool);
    const c = new PgUsageCounters(pool, { now, ...(maxKeys === undefined ? {} : { maxKeys }) });
    made.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of made.splice(0)) c.close();
    for (const p of pools.splice(0)) await p.end().catch(() => undefined);
    await schema?.drop();
    schema = undefined;
  });

  it('permits exactly N across two instances counting at once', async () => {
    const a = await counters(() => T0);
    const b = await counters(() => T0);
    const key = counterKey('urn:c', 'urn:c:r', 'app', 'PT1H', HOUR, T0);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => outcome((i % 2 ? a : b).increment([key], [5]))));
    expect(results.filter((r) => r === 'counted')).toHaveLength(5);
    expect(results.filter((r) => r !== 'counted').every((r) => r === 'count_exceeded')).toBe(true);
    // Each instance's copy for decide() is the database's count as last answered.
    expect(Math.max(a.values.get(key) ?? 0, b.values.get(key) ?? 0)).toBe(5);
    const rows = await schema!.query<{ count: number }>('SELECT count FROM usage_counts WHERE key = $1', [key]);
    expect(Number(rows[0]?.count)).toBe(5);
  });

  it('counts a request against all its keys or none, whatever their order', async () => {
    const a = await counters(() => T0);
    const b = await counters(() => T0);
    const mine = counterKey('urn:c', 'urn:c:mine', 'app', 'PT1H', HOUR, T0);
    const shared = counterKey('urn:c', 'urn:c:all', 'everyone', 'PT1H', HOUR, T0);
    expect(await outcome(a.increment([mine, shared], [3, 2]))).toBe('counted');
    expect(await outcome(b.increment([shared, mine], [2, 3]))).toBe('counted');
    // `shared` is at its limit: `mine` is not counted either.
    expect(await outcome(a.increment([mine, shared], [3, 2]))).toBe('count_exceeded');
    const rows = await schema!.query<{ key: string; count: number }>('SELECT key, count FROM usage_counts ORDER BY key');
    expect(Object.fromEntries(rows.map((r) => [r.key, Number(r.count)]))).toEqual({ [mine]: 2, [shared]: 2 });
    // A missing limit is no limit to count past: refused.
    expect(await outcome(a.increment([counterKey('urn:c', 'urn:c:x', 'app', 'PT1H', HOUR, T0)], []))).toBe('count_exceeded');
  });

  it('starts a closed window afresh and removes closed windows in batches', async () => {
    let now = T0;
    const a = await counters(() => now);
    const life = counterKey('urn:c', 'urn:c:life', 'app', 'P0', null, T0);
    const hour = counterKey('urn:c', 'urn:c:r', 'app', 'PT1H', HOUR, T0);
    expect(await outcome(a.increment([hour, life], [1, 2]))).toBe('counted');
    expect(await outcome(a.increment([hour], [1]))).toBe('count_exceeded');
    now = T0 + HOUR;
    const next = counterKey('urn:c', 'urn:c:r', 'app', 'PT1H', HOUR, now);
    expect(await outcome(a.increment([next, life], [1, 2]))).toBe('counted');
    expect(await outcome(a.increment([life], [2]))).toBe('count_exceeded');
    expect(await a.prune()).toBe(1);
    const keys = (await schema!.query<{ key: string }>('SELECT key FROM usage_counts ORDER BY key')).map((r) => r.key);
    expect(keys.sort()).toEqual([life, next].sort());
  });

  it('refuses a new key past its bound, 503 usage_counters_full, and counts the ones it holds', async () => {
    const a = await counters(() => T0, 64);
    const key = (i: number) => counterKey('urn:c', 'urn:c:r', `app${i}`, 'PT1H', HOUR, T0);
    const results = await Promise.all(Array.from({ length: 80 }, (_, i) => outcome(a.increment([key(i)], [10]))));
    // Keys added while the table is counted may be counted twice: the bound errs low, never high.
    const counted = results.filter((r) => r === 'counted').length;
    expect(counted).toBeLessThanOrEqual(64);
    expect(counted).toBeGreaterThanOrEqual(60);
    expect(results.filter((r) => r !== 'counted').every((r) => r === 'usage_counters_full')).toBe(true);
    expect(await outcome(a.increment([key(results.indexOf('counted'))], [10]))).toBe('counted');
  });

  it('refuses with 503 usage_counters_unavailable when the database cannot be reached', async () => {
    const a = await counters(() => T0);
    await pools[0]!.end();
    const err = await a.increment([counterKey('urn:c', 'urn:c:r', 'app', 'PT1H', HOUR, T0)], [5]).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ status: 503, reason: 'usage_counters_unavailable' });
  });
});
