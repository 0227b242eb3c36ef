/**
 * Single-use secrets in the store's expiring keys, on a real SQLite file and, with
 * MIMTRUST_TEST_POSTGRES_URL, on PostgreSQL, each time through two connections as two
 * processes would hold them: taken once wherever handed out, even by two takers at once;
 * expiry; only hashes stored; a used secret told apart from an unknown one; the owner's
 * bound kept when two processes hand out at once, the oldest giving way; the overall
 * bound refusing rather than dropping an open secret; an unreachable store refusing.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { StoredSingleUse, type Taken } from '../../src/lib/index.js';
import { postgresKeys, sqliteKeys, type OpenedKeys } from '../helpers/expiring-keys.js';
import { havePostgres } from '../helpers/postgres.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const hash = (s: string): string => createHash('sha256').update(s).digest('base64url');
const open = <V>(t: Taken<V>): V | undefined => (t.state === 'open' ? t.value : undefined);

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { reason?: string }).reason ?? String(err);
  }
  return 'accepted';
}

for (const backend of [sqliteKeys, ...(havePostgres() ? [postgresKeys] : [])]) {
  describe(`StoredSingleUse on ${backend.name}`, () => {
    let opened: OpenedKeys | undefined;
    let now = T0;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
      now = T0;
    });
    const start = async () => {
      opened = await backend.open(() => now);
      return { opened, other: await opened.again() };
    };

    it('gives a value back once, wherever it is taken, and never after its expiry; the store holds only its hash', async () => {
      const { opened: o, other } = await start();
      const here = new StoredSingleUse<{ n: number }>({ keys: o.keys, name: 'code', max: 10 });
      const there = new StoredSingleUse<{ n: number }>({ keys: other, name: 'code', max: 10 });
      const a = await here.issue({ n: 1 }, T0 + 100);
      const b = await here.issue({ n: 2 }, T0 + 100);
      expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await o.keys.get({ name: 'code', max: 10 }, a)).toBeUndefined();
      expect(JSON.parse(await o.keys.get({ name: 'code', max: 10 }, hash(a)) ?? 'null')).toEqual({ v: { n: 1 }, until: T0 + 100 });
      expect(await there.take(a)).toEqual({ state: 'open', value: { n: 1 } });
      expect(await here.take(a)).toEqual({ state: 'unknown' });
      now = T0 + 100;
      expect(await there.take(b)).toEqual({ state: 'unknown' });
      expect(await there.take('never-issued')).toEqual({ state: 'unknown' });
    });

    it('of two processes taking one secret at once, one gets it', async () => {
      const { opened: o, other } = await start();
      const stores = [o.keys, other].map((keys) => new StoredSingleUse<string>({ keys, name: 'nonce', max: 100 }));
      for (let i = 0; i < 10; i++) {
        const s = await stores[i % 2]!.issue(`v${i}`, T0 + 1000);
        const both = await Promise.all(stores.map((st) => st.take(s)));
        expect(both.map(open).filter((v) => v !== undefined)).toEqual([`v${i}`]);
      }
    });

    it('remembers a used secret until its expiry: a second use names the value, wherever it is tried', async () => {
      const { opened: o, other } = await start();
      const here = new StoredSingleUse<string>({ keys: o.keys, name: 'code', max: 10, rememberUsed: true });
      const there = new StoredSingleUse<string>({ keys: other, name: 'code', max: 10, rememberUsed: true });
      const s = await here.issue('alice', T0 + 100);
      expect(await here.take(s)).toEqual({ state: 'open', value: 'alice' });
      expect(await there.take(s)).toEqual({ state: 'used', value: 'alice' });
      expect(await here.take(s)).toEqual({ state: 'used', value: 'alice' });
      now = T0 + 100;
      expect(await there.take(s)).toEqual({ state: 'unknown' });
    });

    it('keeps an owner\'s bound, the oldest giving way, whichever process hands out', async () => {
      const { opened: o, other } = await start();
      const stores = [o.keys, other].map((keys) => new StoredSingleUse<number>({ keys, name: 'code', max: 100, maxPerOwner: 2 }));
      const x1 = await stores[0]!.issue(1, T0 + 100, 'x');
      const x2 = await stores[1]!.issue(2, T0 + 200, 'x');
      const y1 = await stores[1]!.issue(9, T0 + 50, 'y');
      const x3 = await stores[1]!.issue(3, T0 + 300, 'x');
      expect(await stores[0]!.take(x1)).toEqual({ state: 'unknown' });
      expect(open(await stores[0]!.take(x2))).toBe(2);
      // Taken or not, a secret holds its slot until it would have expired; the oldest gives way again.
      const x4 = await stores[0]!.issue(4, T0 + 400, 'x');
      expect([open(await stores[1]!.take(x3)), open(await stores[1]!.take(x4)), open(await stores[0]!.take(y1))]).toEqual([3, 4, 9]);
    });

    it('an owner asking at two processes at once never has more open than the bound', async () => {
      const { opened: o, other } = await start();
      const stores = [o.keys, other].map((keys) => new StoredSingleUse<number>({ keys, name: 'code', max: 100, maxPerOwner: 3 }));
      const issued = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 2]!.issue(i, T0 + 1000 + i, 'x').catch(() => undefined)));
      const made = issued.filter((s): s is string => s !== undefined);
      expect(made.length).toBeGreaterThanOrEqual(3);
      const stillOpen = (await Promise.all(made.map((s) => stores[0]!.take(s)))).filter((t) => t.state === 'open');
      expect(stillOpen.length).toBeLessThanOrEqual(3);
      expect(stillOpen.length).toBeGreaterThanOrEqual(1);
    });

    it('beyond the overall bound refuses a new secret (503 shared_state_full) and drops no open one', async () => {
      const { opened: o, other } = await start();
      const stores = [o.keys, other].map((keys) => new StoredSingleUse<number>({ keys, name: 'nonce', max: 3 }));
      const made = [await stores[0]!.issue(1, T0 + 100), await stores[1]!.issue(2, T0 + 100), await stores[0]!.issue(3, T0 + 100)];
      expect(await refusal(stores[1]!.issue(4, T0 + 100))).toBe('shared_state_full');
      expect(await Promise.all(made.map(async (s, i) => open(await stores[i % 2]!.take(s))))).toEqual([1, 2, 3]);
      expect(await refusal(stores[1]!.issue(5, T0 + 100))).toBe('accepted');
    });

    it('an unreachable store refuses to hand out or take (503 shared_state_unavailable)', async () => {
      const { opened: o } = await start();
      const store = new StoredSingleUse<number>({ keys: o.keys, name: 'code', max: 10, maxPerOwner: 2, rememberUsed: true });
      const s = await store.issue(1, T0 + 100, 'x');
      await o.cut();
      expect(await refusal(store.issue(2, T0 + 100, 'x'))).toBe('shared_state_unavailable');
      expect(await refusal(store.take(s))).toBe('shared_state_unavailable');
    });
  });
}
