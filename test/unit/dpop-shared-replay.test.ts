/**
 * DPoP replay detection across processes (auth/dpop-shared-replay.ts), each process with its
 * own cache and the store shared on a real SQLite file: a proof used by one is a replay to
 * another; a replay to the same process is caught without asking the store; a store that
 * cannot be reached refuses a proof it cannot check.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DpopReplayCache, sharedReplay } from '../../src/auth/index.js';
import { sqliteKeys, type OpenedKeys } from '../helpers/expiring-keys.js';

const NOW_SEC = Date.parse('2026-12-01T10:00:00Z') / 1000;

describe('DPoP replay across processes', () => {
  let store: OpenedKeys | undefined;
  afterEach(async () => { await store?.close(); store = undefined; });

  it('refuses on one process a proof another accepted, until its window ends', async () => {
    let now = NOW_SEC * 1000;
    store = await sqliteKeys.open(() => now);
    const a = sharedReplay(new DpopReplayCache(1000), store.keys, 1000);
    const b = sharedReplay(new DpopReplayCache(1000), await store.again(), 1000);
    expect(await a('jkt-1', 'jti-1', NOW_SEC + 65, NOW_SEC)).toBe('fresh');
    expect(await b('jkt-1', 'jti-1', NOW_SEC + 65, NOW_SEC)).toBe('replayed');
    expect(await a('jkt-1', 'jti-1', NOW_SEC + 65, NOW_SEC)).toBe('replayed');
    // The same jti under another key is another proof.
    expect(await b('jkt-2', 'jti-1', NOW_SEC + 65, NOW_SEC)).toBe('fresh');
    now = (NOW_SEC + 66) * 1000;
    expect(await b('jkt-1', 'jti-1', NOW_SEC + 131, NOW_SEC + 66)).toBe('fresh');
  });

  it('catches a replay to the same process without the store, and refuses what it cannot check', async () => {
    store = await sqliteKeys.open(() => NOW_SEC * 1000);
    const a = sharedReplay(new DpopReplayCache(1000), store.keys, 1000);
    expect(await a('jkt', 'seen', NOW_SEC + 65, NOW_SEC)).toBe('fresh');
    await store.cut();
    expect(await a('jkt', 'seen', NOW_SEC + 65, NOW_SEC)).toBe('replayed');
    const err = await Promise.resolve(a('jkt', 'new', NOW_SEC + 65, NOW_SEC)).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ status: 503, reason: 'shared_state_unavailable' });
  });
});
