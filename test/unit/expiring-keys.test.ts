/**
 * The store's expiring keys, on a real SQLite file and, with MIMTRUST_TEST_POSTGRES_URL, on
 * PostgreSQL: taken once across connections, expiry, bounds per kind that a flood cannot
 * pass and that never drop a live key, clean-up in bounded batches, and an unreachable
 * store refusing rather than answering.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { PRUNE_BATCH, RowBudget } from '../../src/store/index.js';
import { postgresKeys, sqliteKeys, type OpenedKeys } from '../helpers/expiring-keys.js';
import { havePostgres } from '../helpers/postgres.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const kind = (max = 100, name = 'test') => ({ name, max });

describe('RowBudget', () => {
  it('asks for a count first, then after recountEvery inserts, and whenever the estimate would pass the limit', () => {
    const b = new RowBudget(640);
    expect(b.recountEvery).toBe(10);
    expect(b.needsCount()).toBe(true);
    expect(b.fits()).toBe(false);
    b.recount(600);
    expect(b.needsCount()).toBe(false);
    for (let i = 0; i < 9; i++) { b.reserve(); b.settle(1, 1); }
    expect(b.needsCount()).toBe(false);
    b.reserve();
    b.settle(1, 1);
    expect(b.needsCount()).toBe(true);
    b.recount(635);
    expect(b.fits(5)).toBe(true);
    expect(b.fits(6)).toBe(false);
    expect(b.needsCount(6)).toBe(true);
    b.removed(3);
    expect(b.fits(8)).toBe(true);
  });

  it('counts inserts under way, even across a count, until they are answered', () => {
    const b = new RowBudget(64);
    b.recount(60);
    for (let i = 0; i < 4; i++) { expect(b.fits()).toBe(true); b.reserve(); }
    expect(b.fits()).toBe(false);
    // A count taken meanwhile may not see them yet: they stay reserved.
    b.recount(60);
    expect(b.fits()).toBe(false);
    // Two of them found the key already held: room again for two.
    b.settle(4, 2);
    expect(b.fits(2)).toBe(true);
    expect(b.fits(3)).toBe(false);
  });
});

for (const backend of [sqliteKeys, ...(havePostgres() ? [postgresKeys] : [])]) {
  describe(`expiring keys on ${backend.name}`, () => {
    let now = T0;
    let store: OpenedKeys | undefined;
    const open = async () => { now = T0; store = await backend.open(() => now); return store; };
    afterEach(async () => { await store?.close(); store = undefined; });

    it('takes a key once, across connections, until it expires', async () => {
      const { keys, again } = await open();
      const other = await again();
      expect(await keys.takeOnce(kind(), 'proof-1', T0 + 60_000)).toBe('fresh');
      expect(await other.takeOnce(kind(), 'proof-1', T0 + 60_000)).toBe('taken');
      expect(await keys.takeOnce(kind(), 'proof-1', T0 + 60_000)).toBe('taken');
      // Another kind is another namespace.
      expect(await other.takeOnce(kind(100, 'other'), 'proof-1', T0 + 60_000)).toBe('fresh');
      now = T0 + 60_000;
      expect(await other.takeOnce(kind(), 'proof-1', T0 + 120_000)).toBe('fresh');
    });

    it('of two connections taking one key at once, exactly one gets it', async () => {
      const { keys, again } = await open();
      const others = [keys, await again(), await again()];
      for (let round = 0; round < 20; round++) {
        const outcomes = await Promise.all(others.flatMap((k) => [k.takeOnce(kind(), `r${round}`, T0 + 1000), k.takeOnce(kind(), `r${round}`, T0 + 1000)]));
        expect(outcomes.filter((o) => o === 'fresh')).toHaveLength(1);
        await keys.put(kind(), `s${round}`, 'v', T0 + 1000);
        const taken = await Promise.all(others.map((k) => k.take(kind(), `s${round}`)));
        expect(taken.filter((v) => v === 'v')).toHaveLength(1);
      }
    });

    it('keeps values until they expire, is read by another connection, and forgets them on delete or take', async () => {
      const { keys, again } = await open();
      const other = await again();
      expect(await keys.put(kind(), 'session', '{"a":1}', T0 + 1000)).toBe(true);
      expect(await other.get(kind(), 'session')).toBe('{"a":1}');
      expect(await other.get(kind(100, 'other'), 'session')).toBeUndefined();
      await other.delete(kind(), 'session');
      expect(await keys.get(kind(), 'session')).toBeUndefined();
      await keys.put(kind(), 'once', 'x', T0 + 1000);
      expect(await other.take(kind(), 'once')).toBe('x');
      expect(await keys.take(kind(), 'once')).toBeUndefined();
      await keys.put(kind(), 'late', 'y', T0 + 1000);
      now = T0 + 1000;
      expect(await other.get(kind(), 'late')).toBeUndefined();
      expect(await other.take(kind(), 'late')).toBeUndefined();
    });

    it('refuses past the bound of a kind without dropping a live key, and makes room as keys expire', async () => {
      const { keys, again, rows } = await open();
      const small = kind(64);
      const other = await again();
      const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? keys : other).takeOnce(small, `k${i}`, T0 + 10_000)));
      const fresh = outcomes.filter((o) => o === 'fresh').length;
      // Each connection counts again after max/64 inserts: together they pass the bound by at
      // most that and what the other has under way (its pool of connections, 10 at most).
      expect(fresh).toBeGreaterThanOrEqual(64);
      expect(fresh).toBeLessThanOrEqual(64 + 1 + 10);
      expect(outcomes.filter((o) => o === 'full').length).toBe(100 - fresh);
      expect(await rows()).toBe(fresh);
      expect(await keys.put(small, 'one-more', 'v', T0 + 10_000)).toBe(false);
      // Every key taken before is still held: a replay of any is caught.
      for (let i = 0; i < 100; i++) if (outcomes[i] === 'fresh') expect(await keys.takeOnce(small, `k${i}`, T0 + 10_000)).not.toBe('fresh');
      // Other kinds are not held back by a full one.
      expect(await keys.takeOnce(kind(64, 'else'), 'x', T0 + 10_000)).toBe('fresh');
      now = T0 + 10_000;
      expect(await keys.takeOnce(small, 'after', T0 + 20_000)).toBe('fresh');
    });

    it('cleans up expired keys in batches of at most PRUNE_BATCH', async () => {
      const { keys, rows } = await open();
      const k = kind(10_000);
      for (let i = 0; i < PRUNE_BATCH + 500; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, j) => keys.takeOnce(k, `old${i + j}`, T0 + 1000)));
      }
      await keys.takeOnce(k, 'live', T0 + 60_000);
      now = T0 + 1000;
      await keys.pruneAll();
      expect(await rows()).toBe(501);
      await keys.pruneAll();
      expect(await rows()).toBe(1);
      expect(await keys.takeOnce(k, 'live', T0 + 60_000)).toBe('taken');
    });

    it('refuses with 503 shared_state_unavailable when the store cannot be reached', async () => {
      const { keys, cut } = await open();
      await keys.takeOnce(kind(), 'a', T0 + 1000);
      await cut();
      for (const attempt of [() => keys.takeOnce(kind(), 'b', T0 + 1000), () => keys.get(kind(), 'a'), () => keys.put(kind(), 'c', 'v', T0 + 1000), () => keys.take(kind(), 'a')]) {
        const err = await attempt().then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(MimtrustError);
        expect(err).toMatchObject({ status: 503, reason: 'shared_state_unavailable' });
      }
    });
  });
}
