/**
 * What only PostgreSQL has: migrations shared by several instances opening one database
 * at once, and the LISTEN/NOTIFY change feed (published with the transaction that makes a
 * change, never heard by its publisher, reconnecting and asking for a full re-read after
 * its connection was cut), and consent records read from the store while it is down.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/changes/index.js';
import { AuditLog } from '../../src/audit/index.js';
import { Consents } from '../../src/consent/index.js';
import { partyNames } from '../../src/contracts/index.js';
import { MimtrustError } from '../../src/errors/index.js';
import {
  inTransaction, MIGRATIONS, openPostgres, PgAuditStore, PgChangeFeed, PgConsentStore, PgContractStore, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, type PgPool,
} from '../../src/store/index.js';
import { freshSchema, havePostgres, warnIfNoPostgres, type TestSchema } from '../helpers/postgres.js';
import { ed25519 } from './audit-fixtures.js';

warnIfNoPostgres('PostgreSQL migration and change feed tests');

it('one list of migrations numbers both dialects alike', () => {
  expect(SQLITE_MIGRATIONS).toHaveLength(MIGRATIONS.length);
  expect(POSTGRES_MIGRATIONS).toHaveLength(MIGRATIONS.length);
});

/** Resolves once `pred` holds, polling; what the feed delivers arrives asynchronously. */
async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!havePostgres())('PostgreSQL', () => {
  let schema: TestSchema;
  const pools: PgPool[] = [];
  const feeds: PgChangeFeed[] = [];
  beforeEach(async () => { schema = await freshSchema(); });
  afterEach(async () => {
    for (const f of feeds.splice(0)) await f.close();
    for (const p of pools.splice(0)) await p.end();
    await schema.drop();
  });
  const open = async (): Promise<PgPool> => {
    const p = await openPostgres(schema.url);
    pools.push(p);
    return p;
  };

  describe('migrations', () => {
    it('bring an empty database to the current version, once, even when several instances start together', async () => {
      await Promise.all([open(), open(), open()]);
      expect(await schema.query('SELECT version FROM schema_version')).toEqual([{ version: MIGRATIONS.length }]);
      const tables = (await schema.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema.name])).map((r) => r.t);
      expect(tables).toEqual(expect.arrayContaining(['accounts', 'audit_checkpoints', 'audit_records', 'consent_events', 'consent_records', 'contract_context_copies', 'contract_file_copies', 'contracts', 'oidc_models', 'subscriptions']));
      await open();
      expect(await schema.query('SELECT version FROM schema_version')).toEqual([{ version: MIGRATIONS.length }]);
    });

    it('go on from where a database stopped, keeping its rows', async () => {
      const old = await openPostgres(schema.url, { migrations: POSTGRES_MIGRATIONS.slice(0, 2) });
      await old.query("INSERT INTO contracts (uid, document, updated_at) VALUES ('urn:old', '{\"uid\":\"urn:old\"}', 't0')");
      await old.end();
      const pool = await open();
      expect(await new PgContractStore(pool).list()).toEqual([{ provider: null, uid: 'urn:old', document: { uid: 'urn:old' }, updatedAt: 't0' }]);
    });

    it('refuse a database written by a newer version, and an outdated one when only reading', async () => {
      await open();
      const err = await openPostgres(schema.url, { migrations: POSTGRES_MIGRATIONS.slice(0, 3) }).catch((e: unknown) => e);
      expect((err as MimtrustError).reason).toBe('store_schema_newer');
      await schema.query('UPDATE schema_version SET version = 3');
      const ro = await openPostgres(schema.url, { readonly: true }).catch((e: unknown) => e);
      expect((ro as MimtrustError).reason).toBe('store_schema_outdated');
    });

    it('say the store cannot be opened, without the address, when nothing answers', async () => {
      const err = await openPostgres('postgres://nobody:secret@127.0.0.1:1/none').catch((e: unknown) => e);
      expect((err as MimtrustError).reason).toBe('store_open_failed');
      expect((err as Error).message).not.toContain('secret');
    });
  });

  describe('change feed', () => {
    const feedOn = async (pool: PgPool, instance: string): Promise<{ feed: PgChangeFeed; heard: ChangeEvent[]; resyncs: number[] }> => {
      const feed = await PgChangeFeed.open({ url: schema.url, pool, instance, minBackoffMs: 20, maxBackoffMs: 200 });
      feeds.push(feed);
      const heard: ChangeEvent[] = [];
      const resyncs: number[] = [];
      feed.subscribe({ change: (e) => { heard.push(e); }, resync: () => { resyncs.push(Date.now()); } });
      return { feed, heard, resyncs };
    };

    it('tells the other instances what changed when the change commits, never its publisher, nothing of a rollback', async () => {
      const pool = await open();
      const a = await feedOn(pool, 'a');
      const b = await feedOn(pool, 'b');
      const contracts = new PgContractStore(pool, a.feed);
      await contracts.put('parking', 'urn:c:1', { uid: 'urn:c:1' }, 't0');
      await until(() => b.heard.length === 1);
      expect(b.heard).toEqual([{ kind: 'contract', provider: 'parking', uid: 'urn:c:1' }]);
      await expect(inTransaction(pool, async (client) => {
        await a.feed.publishIn(client, { kind: 'consent', id: 'urn:uuid:rolled-back' });
        throw new Error('abort');
      })).rejects.toThrow('abort');
      expect(await contracts.delete(null, 'urn:c:none')).toBe(false);
      await contracts.delete('parking', 'urn:c:1');
      await until(() => b.heard.length === 2);
      expect(b.heard[1]).toEqual({ kind: 'contract', provider: 'parking', uid: 'urn:c:1' });
      expect(a.heard).toEqual([]);
    });

    it('asks for a full re-read when something on its channel is not an event', async () => {
      const pool = await open();
      const b = await feedOn(pool, 'b');
      await pool.query('SELECT pg_notify($1, $2)', [b.feed.channel, '{"kind":"contract","uid":42}']);
      await until(() => b.resyncs.length === 1);
      expect(b.heard).toEqual([]);
    });

    it('while it is down, a consent withdrawn on another instance is refused all the same: the store is read on every use', async () => {
      const pool = await open();
      const CITY = 'https://city.example';
      const parties = partyNames([{ name: 'city', issuer: CITY, cityOwn: true }]);
      const consentsOn = async (instance: string, minBackoffMs: number): Promise<{ consents: Consents; feed: PgChangeFeed; log: AuditLog }> => {
        const feed = await PgChangeFeed.open({ url: schema.url, pool, instance, minBackoffMs });
        feeds.push(feed);
        const log = await AuditLog.open({ store: new PgAuditStore(pool, instance), signingKey: ed25519().privateKey });
        const consents = new Consents({ store: new PgConsentStore(pool, feed), changes: feed, audit: log, parties, subjectTemplate: 'urn:ngsi-ld:Person:{sub}' });
        return { consents, feed, log };
      };
      const a = await consentsOn('a', 20);
      // B stays down once cut: no reconnection within the test.
      const b = await consentsOn('b', 60_000);
      const alice = { issuer: CITY, sub: 'alice' };
      const now = Date.now();
      const given = await a.consents.give(alice, { recipient: 'app', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'https://example.org/Meter', attributes: null }] }, now);
      expect(await b.consents.forToken([given.id], now)).toHaveLength(1);
      await pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1', [`LISTEN "${b.feed.channel}"`]);
      await until(() => !b.feed.live);
      await a.consents.withdraw(alice, given.id, now + 1);
      const refused = await b.consents.forToken([given.id], now + 2).catch((e: unknown) => e);
      expect((refused as MimtrustError).reason).toBe('consent_withdrawn');
      await a.log.close();
      await b.log.close();
    });

    it('is down while its connection is cut, reconnects, then asks for a full re-read', async () => {
      const pool = await open();
      const b = await feedOn(pool, 'b');
      expect(b.feed.live).toBe(true);
      expect(() => b.feed.check()).not.toThrow();
      // Only this feed's connection: other tests listen on channels of their own.
      await pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1', [`LISTEN "${b.feed.channel}"`]);
      await until(() => !b.feed.live);
      expect(() => b.feed.check()).toThrow(/down/);
      await until(() => b.feed.live && b.resyncs.length === 1);
      await new PgContractStore(pool, { publishIn: (c, e) => b.feed.publishIn(c, e) }).put(null, 'urn:c:2', {}, 't');
      // Its own events stay unheard after a reconnect too; another instance's arrive.
      const a = await feedOn(pool, 'a');
      await new PgContractStore(pool, a.feed).put(null, 'urn:c:3', {}, 't');
      await until(() => b.heard.length === 1);
      expect(b.heard).toEqual([{ kind: 'contract', provider: null, uid: 'urn:c:3' }]);
    });
  });
});
