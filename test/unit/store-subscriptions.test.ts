import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { openSqlite, SqliteSubscriptionStore, type SqliteDatabase } from '../../src/store/index.js';
import type { SubscriptionRecord } from '../../src/subscriptions/index.js';

let db: SqliteDatabase;
let store: SqliteSubscriptionStore;

const record = (hash: string, extra: Partial<SubscriptionRecord> = {}): SubscriptionRecord => ({
  relayHash: hash,
  tenant: '',
  subscriber: { issuer: 'https://issuer.example', sub: 'alice', clientId: 'app', roles: ['viewer'] },
  endpoint: { uri: 'https://hooks.example.org/a', receiverInfo: [{ key: 'X-Key', value: 's' }] },
  decided: { body: { type: 'Subscription', entities: [{ type: 'ParkingSpot' }] }, link: '<https://c.example/c.jsonld>; rel="http://www.w3.org/ns/json-ld#context"' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

beforeEach(() => {
  db = openSqlite(':memory:');
  store = new SqliteSubscriptionStore(db);
});
afterEach(() => db.close());

describe('SQLite subscription store', () => {
  it('keeps a pending record, then its broker id, and finds it both ways', async () => {
    await store.put(record('h1'));
    expect(await store.byRelayHash('h1')).toEqual(record('h1'));
    expect(await store.ownedBy('', { issuer: 'https://issuer.example', sub: 'alice', clientId: 'app' })).toEqual([]);
    await store.put(record('h1', { subscriptionId: 'urn:s:1' }));
    expect((await store.byId('', 'urn:s:1'))?.relayHash).toBe('h1');
    expect(await store.byId('other-tenant', 'urn:s:1')).toBeUndefined();
  });

  it('tells owners apart by issuer, sub and client', async () => {
    await store.put(record('h1', { subscriptionId: 'urn:s:1' }));
    await store.put(record('h2', { subscriptionId: 'urn:s:2', subscriber: { issuer: 'https://issuer.example', sub: 'alice', roles: [] } }));
    await store.put(record('h3', { subscriptionId: 'urn:s:3', subscriber: { issuer: 'https://other.example', sub: 'alice', clientId: 'app', roles: [] } }));
    const mine = await store.ownedBy('', { issuer: 'https://issuer.example', sub: 'alice', clientId: 'app' });
    expect(mine.map((r) => r.subscriptionId)).toEqual(['urn:s:1']);
    expect((await store.ownedBy('', { issuer: 'https://issuer.example', sub: 'alice' })).map((r) => r.subscriptionId)).toEqual(['urn:s:2']);
  });

  it('replaces a record under a new relay hash atomically, and a reused broker id takes the newer record', async () => {
    await store.put(record('h1', { subscriptionId: 'urn:s:1' }));
    await store.replace('h1', record('h9', { subscriptionId: 'urn:s:1', endpoint: { uri: 'https://hooks.example.org/b' } }));
    expect(await store.byRelayHash('h1')).toBeUndefined();
    expect((await store.byId('', 'urn:s:1'))?.endpoint.uri).toBe('https://hooks.example.org/b');
    await store.put(record('h5', { subscriptionId: 'urn:s:1' }));
    expect(await store.byRelayHash('h9')).toBeUndefined();
    expect((await store.byId('', 'urn:s:1'))?.relayHash).toBe('h5');
    await store.delete('h5');
    expect(await store.byId('', 'urn:s:1')).toBeUndefined();
  });
});
