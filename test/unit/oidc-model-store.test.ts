/**
 * What oidc-provider keeps, on each real store (SQLite, and PostgreSQL when the test
 * database is set): the same answers from both for every adapter call, rows found by id,
 * user code and interaction uid, expired rows never returned and swept in batches, a grant
 * revoked with everything issued on it, and a code consumed once however many ask at once;
 * a pending upstream login kept there is taken once, and not after its time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, type OpenedStores } from '../helpers/store-backends.js';
import { pendingInStore, type OidcModelStore } from '../../src/issuer/index.js';

describe.each(BACKENDS)('oidc-provider state on $name', (backend) => {
  let stores: OpenedStores;
  let clock = 1_800_000_000_000;
  let store: OidcModelStore;

  beforeEach(async () => {
    clock = 1_800_000_000_000;
    stores = await backend.open();
    store = stores.oidc(() => clock);
  });

  afterEach(() => stores.close());

  it('finds a row by id, user code and uid, within its model only, as it was stored', async () => {
    const codes = store.adapter('DeviceCode');
    const payload = { jti: 'd1', userCode: 'ABCD-EFGH', uid: 'u1', grantId: 'g1', kind: 'DeviceCode', nested: { list: [1, 'two', null] } };
    await codes.upsert('d1', payload, 60);
    expect(await codes.find('d1')).toEqual(payload);
    expect(await codes.findByUserCode('ABCD-EFGH')).toEqual(payload);
    expect(await codes.findByUid('u1')).toEqual(payload);
    expect(await store.adapter('Session').find('d1')).toBeUndefined();
    expect(await codes.find('d2')).toBeUndefined();
  });

  it('an upsert replaces the row, its keys and its expiry; no expiry keeps it for good', async () => {
    const sessions = store.adapter('Session');
    await sessions.upsert('s1', { uid: 'old', accountId: 'a' }, 10);
    await sessions.upsert('s1', { uid: 'new', accountId: 'b' });
    expect(await sessions.findByUid('old')).toBeUndefined();
    expect(await sessions.findByUid('new')).toEqual({ uid: 'new', accountId: 'b' });
    clock += 365 * 86_400_000;
    expect(await sessions.find('s1')).toEqual({ uid: 'new', accountId: 'b' });
  });

  it('an expired row is never returned, before or after the sweep; the sweep takes a batch at a time', async () => {
    const tokens = store.adapter('AccessToken');
    for (let i = 0; i < 5; i++) await tokens.upsert(`t${i}`, { jti: `t${i}` }, 10);
    await tokens.upsert('live', { jti: 'live' }, 3600);
    clock += 10_000;
    expect(await tokens.find('t0')).toBeUndefined();
    expect(await tokens.find('live')).toEqual({ jti: 'live' });
    expect(await store.sweep(3)).toBe(3);
    expect(await store.sweep(3)).toBe(2);
    expect(await store.sweep(3)).toBe(0);
    expect(await tokens.find('live')).toEqual({ jti: 'live' });
  });

  it('consume marks the row once: the first call consumes, every later one is told it was already', async () => {
    const codes = store.adapter('AuthorizationCode');
    await codes.upsert('c1', { jti: 'c1', grantId: 'g1' }, 60);
    expect(await codes.consume('c1')).toBe(true);
    expect(await codes.find('c1')).toEqual({ jti: 'c1', grantId: 'g1', consumed: Math.floor(clock / 1000) });
    expect(await codes.consume('c1')).toBe(false);
    expect(await codes.consume('missing')).toBe(false);
  });

  it('of many consumes of one code at once, exactly one succeeds', async () => {
    const codes = store.adapter('AuthorizationCode');
    await codes.upsert('c2', { jti: 'c2' }, 60);
    // Separate adapters, as separate instances would have.
    const results = await Promise.all(Array.from({ length: 8 }, () => store.adapter('AuthorizationCode').consume('c2')));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('destroy removes one row; revokeByGrantId removes the grant\'s rows of that model only', async () => {
    const access = store.adapter('AccessToken');
    const refresh = store.adapter('RefreshToken');
    await access.upsert('a1', { grantId: 'g1' }, 60);
    await access.upsert('a2', { grantId: 'g1' }, 60);
    await access.upsert('a3', { grantId: 'g2' }, 60);
    await refresh.upsert('r1', { grantId: 'g1' }, 60);
    await access.revokeByGrantId('g1');
    expect(await access.find('a1')).toBeUndefined();
    expect(await access.find('a2')).toBeUndefined();
    expect(await access.find('a3')).toEqual({ grantId: 'g2' });
    expect(await refresh.find('r1')).toEqual({ grantId: 'g1' });
    await refresh.destroy('r1');
    expect(await refresh.find('r1')).toBeUndefined();
  });

  it('a pending upstream login is taken once, however many take it at once, and not after its time', async () => {
    const pending = pendingInStore(store.adapter('UpstreamLogin'));
    const login = { uid: 'i1', verifier: 'v', nonce: 'n' };
    await pending.put('st1', login, 60_000);
    expect(await pending.get('st1')).toEqual(login);
    const taken = await Promise.all(Array.from({ length: 5 }, () => pendingInStore(store.adapter('UpstreamLogin')).take('st1')));
    expect(taken.filter((t) => t !== undefined)).toEqual([login]);
    expect(await pending.get('st1')).toBeUndefined();
    await pending.put('st2', login, 60_000);
    clock += 60_000;
    expect(await pending.get('st2')).toBeUndefined();
    expect(await pending.take('st2')).toBeUndefined();
  });
});
