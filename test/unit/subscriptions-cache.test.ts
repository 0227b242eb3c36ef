/**
 * The relay's subscription records kept in memory, over the real SQLite store and the
 * in-process change feed: a record once read is served from memory, and forgotten by every
 * write made through it and by every change the feed reports from elsewhere.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { InProcessChangeFeed } from '../../src/changes/index.js';
import { openSqlite, SqliteSubscriptionStore } from '../../src/store/index.js';
import type { SqliteDatabase } from '../../src/store/sqlite.js';
import { CachedSubscriptionStore, type SubscriptionRecord } from '../../src/subscriptions/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const record = (hash: string, extra: Partial<SubscriptionRecord> = {}): SubscriptionRecord => ({
  relayHash: hash,
  tenant: '',
  subscriptionId: `urn:sub:${hash}`,
  subscriber: { issuer: 'https://issuer.example', sub: 'alice', clientId: 'app', roles: ['viewer'] },
  endpoint: { uri: 'https://hooks.example.org/a' },
  decided: { body: { type: 'Subscription', entities: [{ type: 'ParkingSpot' }] } },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});
const moved = (r: SubscriptionRecord, uri: string): SubscriptionRecord => ({ ...r, endpoint: { uri } });

describe('CachedSubscriptionStore', () => {
  let db: SqliteDatabase;
  let store: SqliteSubscriptionStore;
  let feed: InProcessChangeFeed;
  let cached: CachedSubscriptionStore;
  beforeEach(() => {
    db = openSqlite(join(makeTempDir('sub-cache'), 'm.db'));
    store = new SqliteSubscriptionStore(db);
    feed = new InProcessChangeFeed();
    cached = new CachedSubscriptionStore(store, feed, 2);
  });
  afterEach(() => db.close());

  it('serves a record once read from memory, until the feed says it changed elsewhere', async () => {
    await store.put(record('h1'));
    expect((await cached.byRelayHash('h1'))?.endpoint.uri).toBe('https://hooks.example.org/a');
    // Another instance's write: the row changes, this one still holds what it read.
    await store.put(moved(record('h1'), 'https://hooks.example.org/b'));
    expect((await cached.byRelayHash('h1'))?.endpoint.uri).toBe('https://hooks.example.org/a');
    await feed.publish({ kind: 'subscription', relayHash: 'h1' });
    expect((await cached.byRelayHash('h1'))?.endpoint.uri).toBe('https://hooks.example.org/b');
    await store.delete('h1');
    await feed.publish({ kind: 'subscription', relayHash: 'h1' });
    expect(await cached.byRelayHash('h1')).toBeUndefined();
  });

  it('forgets what a write through it changes: the record, the one it replaces, the one of the same subscription id', async () => {
    await cached.put(record('h1'));
    await cached.byRelayHash('h1');
    await cached.put(moved(record('h1'), 'https://hooks.example.org/b'));
    expect((await cached.byRelayHash('h1'))?.endpoint.uri).toBe('https://hooks.example.org/b');
    // A new relay token for the same subscription: the old one finds nothing.
    await cached.replace('h1', record('h2', { subscriptionId: 'urn:sub:h1' }));
    expect(await cached.byRelayHash('h1')).toBeUndefined();
    expect((await cached.byRelayHash('h2'))?.subscriptionId).toBe('urn:sub:h1');
    // The broker reused the id: the newer record, under another hash, replaces the kept one.
    await cached.put(record('h3', { subscriptionId: 'urn:sub:h1' }));
    expect(await cached.byRelayHash('h2')).toBeUndefined();
    await cached.delete('h3');
    expect(await cached.byRelayHash('h3')).toBeUndefined();
  });

  it('stays bounded and keeps no misses', async () => {
    for (const h of ['h1', 'h2', 'h3']) await store.put(record(h));
    for (const h of ['h1', 'h2', 'h3', 'nobody', 'nobody-else']) await cached.byRelayHash(h);
    expect(cached.size).toBe(2);
  });

  it('keeps nothing read while a change came in', async () => {
    await store.put(record('h1'));
    const reading = cached.byRelayHash('h1');
    await feed.publish({ kind: 'subscription', relayHash: 'h1' });
    await reading;
    expect(cached.size).toBe(0);
  });
});
