/**
 * Every store operation, run once per backend (SQLite, and PostgreSQL when
 * MIMTRUST_TEST_POSTGRES_URL is set): both implement the same interfaces, so the same
 * expectations hold for both.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditRecordCorruptError, type AuditRecord } from '../../src/audit/index.js';
import type { ConsentRecord } from '../../src/consent/index.js';
import type { SubscriptionRecord } from '../../src/subscriptions/index.js';
import { BACKENDS, type OpenedStores } from '../helpers/store-backends.js';
import { warnIfNoPostgres } from '../helpers/postgres.js';
import { event } from './audit-fixtures.js';

warnIfNoPostgres('PostgreSQL store tests');

function record(seq: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return { ...event(seq), seq, prevHash: 'p'.repeat(64), hash: String(seq).padStart(64, 'h'), ...overrides };
}

const subscription = (hash: string, extra: Partial<SubscriptionRecord> = {}): SubscriptionRecord => ({
  relayHash: hash,
  tenant: '',
  subscriber: { issuer: 'https://issuer.example', sub: 'alice', clientId: 'app', roles: ['viewer'] },
  endpoint: { uri: 'https://hooks.example.org/a', receiverInfo: [{ key: 'X-Key', value: 's' }] },
  decided: { body: { type: 'Subscription', entities: [{ type: 'ParkingSpot' }] }, link: '<https://c.example/c.jsonld>; rel="http://www.w3.org/ns/json-ld#context"' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

const consent = (n: number, sub = 'alice', extra: Partial<ConsentRecord> = {}): ConsentRecord => ({
  id: `urn:uuid:00000000-0000-4000-8000-00000000000${n}`,
  dataSubject: { issuer: 'https://issuer.example', sub, id: `urn:ngsi-ld:Person:${sub}` },
  recipient: 'parking-app',
  purposes: ['https://w3id.org/dpv#ServiceProvision'],
  personalData: [{ type: 'https://smartdatamodels.org/dataModel.Parking/ParkingSpot', attributes: null }],
  legalBasis: 'https://w3id.org/dpv#Consent',
  givenAt: `2026-01-0${n}T00:00:00.000Z`,
  events: [{ event: 'given', at: `2026-01-0${n}T00:00:00.000Z` }],
  ...extra,
});

describe.each(BACKENDS)('$name store', (backend) => {
  let s: OpenedStores;
  beforeEach(async () => { s = await backend.open(); });
  afterEach(async () => { await s.close(); });

  describe('contracts', () => {
    it('keeps one uid apart in each namespace', async () => {
      const store = s.contracts;
      await store.put(null, 'urn:same', { n: 0 }, 't0');
      await store.put('parking', 'urn:same', { n: 1 }, 't1');
      await store.put('transit', 'urn:same', { n: 2 }, 't2');
      await store.put('parking', 'urn:same', { n: 3 }, 't3');
      expect((await store.list()).map((c) => [c.provider, c.document])).toEqual([[null, { n: 0 }], ['parking', { n: 3 }], ['transit', { n: 2 }]]);
      expect(await store.delete('transit', 'urn:same')).toBe(true);
      expect(await store.delete('transit', 'urn:same')).toBe(false);
      expect(await store.get('parking', 'urn:same')).toEqual({ provider: 'parking', uid: 'urn:same', document: { n: 3 }, updatedAt: 't3' });
      expect(await store.get('transit', 'urn:same')).toBeUndefined();
      expect((await store.get(null, 'urn:same'))?.document).toEqual({ n: 0 });
    });

    it('keeps copies of contexts and contract files, and forgets files no longer in the folder', async () => {
      const c = s.copies;
      expect(await c.contextDocuments('k')).toBeUndefined();
      await c.putContextDocuments('k', new Map([['https://c.example/a.jsonld', { a: 'x' }]]), 't0');
      await c.putContextDocuments('k', new Map([['https://c.example/a.jsonld', { a: 'y' }]]), 't1');
      expect([...(await c.contextDocuments('k'))!]).toEqual([['https://c.example/a.jsonld', { a: 'y' }]]);
      expect(await c.fileCopy('a.json')).toBeUndefined();
      await c.putFileCopies([], 't0');
      await c.putFileCopies([{ source: 'a.json', document: { uid: 'a' } }, { source: 'b.json', document: { uid: 'b' } }], 't0');
      expect(await c.fileCopy('b.json')).toEqual({ uid: 'b' });
      await c.putFileCopies([{ source: 'a.json', document: { uid: 'a2' } }], 't1');
      expect(await c.fileCopy('a.json')).toEqual({ uid: 'a2' });
      await c.keepFileCopies(['a.json']);
      expect(await c.fileCopy('b.json')).toBeUndefined();
      expect(await c.fileCopy('a.json')).toEqual({ uid: 'a2' });
      await c.keepFileCopies([]);
      expect(await c.fileCopy('a.json')).toBeUndefined();
    });
  });

  describe('consents', () => {
    it('keeps a record as given with its events in order, found by id and by data subject, oldest first', async () => {
      const store = s.consents;
      const until = consent(2, 'alice', { validUntil: '2027-01-01T00:00:00.000Z' });
      await store.add(until);
      await store.add(consent(1));
      await store.add(consent(3, 'bob'));
      expect(await store.get(until.id)).toEqual(until);
      expect(await store.get('urn:uuid:nobody')).toBeUndefined();
      await store.addEvent(until.id, { event: 'withdrawn', at: '2026-02-01T00:00:00.000Z' });
      await store.addEvent(until.id, { event: 'expired', at: '2027-01-01T00:00:00.000Z' });
      expect((await store.get(until.id))?.events).toEqual([
        { event: 'given', at: '2026-01-02T00:00:00.000Z' },
        { event: 'withdrawn', at: '2026-02-01T00:00:00.000Z' },
        { event: 'expired', at: '2027-01-01T00:00:00.000Z' },
      ]);
      expect((await store.ofSubject('https://issuer.example', 'alice')).map((r) => r.id)).toEqual([consent(1).id, until.id]);
      expect(await store.ofSubject('https://other.example', 'alice')).toEqual([]);
    });

    it('refuses an event for no record, a record given twice, and rewriting what was kept', async () => {
      const store = s.consents;
      await expect(store.addEvent('urn:uuid:nobody', { event: 'withdrawn', at: 't' })).rejects.toThrow();
      await store.add(consent(1));
      await expect(store.add(consent(1))).rejects.toThrow();
      expect((await store.get(consent(1).id))?.events).toHaveLength(1);
      await expect(s.exec("UPDATE consent_records SET record = '{}'")).rejects.toThrow(/kept as given/);
      await expect(s.exec('DELETE FROM consent_events')).rejects.toThrow(/append-only/);
    });
  });

  describe('status lists', () => {
    it('hands out each index once, opens a new list when one is half full, and keeps a set bit set', async () => {
      const lists = s.statusLists(16);
      let n = 0;
      const random = () => ((n++ * 7) % 16) / 16;
      const a = await lists.allocate('urn:c:a', 't0', random);
      expect(await lists.allocate('urn:c:a', 't1', random)).toEqual(a);
      const entries = [a];
      for (let i = 1; i < 10; i++) entries.push(await lists.allocate(`urn:c:${i}`, 't0', random));
      const first = entries.filter((e) => e.list === a.list);
      expect(first).toHaveLength(8);
      expect(new Set(first.map((e) => e.index)).size).toBe(8);
      expect(entries.some((e) => e.list !== a.list)).toBe(true);
      const before = await lists.bits(a.list);
      expect(before?.revision).toBe(0);
      expect(await lists.setBit('urn:c:a', 't2', random)).toEqual(a);
      await lists.setBit('urn:c:a', 't3', random);
      const after = await lists.bits(a.list);
      expect(after?.revision).toBe(1);
      expect(after?.updatedAt).toBe('t2');
      expect(((after?.bits[a.index >> 3] ?? 0) & (0x80 >> (a.index & 7))) !== 0).toBe(true);
      expect(await lists.bits('0')).toBeUndefined();
      expect(await lists.bits('x')).toBeUndefined();
    });

    it('reads an entry and whether its bit is set, without allocating one', async () => {
      const lists = s.statusLists(16);
      const random = () => 0.5;
      expect(await lists.entry('urn:c:none')).toBeUndefined();
      expect(await lists.entry('urn:c:none')).toBeUndefined();
      const a = await lists.allocate('urn:c:b', 't0', random);
      expect(await lists.entry('urn:c:b')).toEqual({ ...a, revoked: false });
      await lists.setBit('urn:c:b', 't1', random);
      expect(await lists.entry('urn:c:b')).toEqual({ ...a, revoked: true });
      expect((await lists.bits(a.list))?.revision).toBe(1);
    });
  });

  describe('subscriptions', () => {
    it('keeps a pending record, then its broker id, and finds it both ways', async () => {
      const store = s.subscriptions;
      await store.put(subscription('h1'));
      expect(await store.byRelayHash('h1')).toEqual(subscription('h1'));
      expect(await store.ownedBy('', { issuer: 'https://issuer.example', sub: 'alice', clientId: 'app' })).toEqual([]);
      await store.put(subscription('h1', { subscriptionId: 'urn:s:1' }));
      expect((await store.byId('', 'urn:s:1'))?.relayHash).toBe('h1');
      expect(await store.byId('other-tenant', 'urn:s:1')).toBeUndefined();
    });

    it('tells owners apart by issuer, sub and client', async () => {
      const store = s.subscriptions;
      await store.put(subscription('h1', { subscriptionId: 'urn:s:1' }));
      await store.put(subscription('h2', { subscriptionId: 'urn:s:2', subscriber: { issuer: 'https://issuer.example', sub: 'alice', roles: [] } }));
      await store.put(subscription('h3', { subscriptionId: 'urn:s:3', subscriber: { issuer: 'https://other.example', sub: 'alice', clientId: 'app', roles: [] } }));
      const mine = await store.ownedBy('', { issuer: 'https://issuer.example', sub: 'alice', clientId: 'app' });
      expect(mine.map((r) => r.subscriptionId)).toEqual(['urn:s:1']);
      expect((await store.ownedBy('', { issuer: 'https://issuer.example', sub: 'alice' })).map((r) => r.subscriptionId)).toEqual(['urn:s:2']);
    });

    it('replaces a record under a new relay hash atomically, and a reused broker id takes the newer record', async () => {
      const store = s.subscriptions;
      await store.put(subscription('h1', { subscriptionId: 'urn:s:1' }));
      await store.replace('h1', subscription('h9', { subscriptionId: 'urn:s:1', endpoint: { uri: 'https://hooks.example.org/b' } }));
      expect(await store.byRelayHash('h1')).toBeUndefined();
      expect((await store.byId('', 'urn:s:1'))?.endpoint.uri).toBe('https://hooks.example.org/b');
      await store.put(subscription('h5', { subscriptionId: 'urn:s:1' }));
      expect(await store.byRelayHash('h9')).toBeUndefined();
      expect((await store.byId('', 'urn:s:1'))?.relayHash).toBe('h5');
      await store.delete('h5');
      expect(await store.byId('', 'urn:s:1')).toBeUndefined();
    });
  });

  describe('audit', () => {
    it('round-trips records exactly, absent optional fields staying absent', async () => {
      const store = s.audit();
      const full = record(1, { sub: 's', clientId: 'c', tenant: 't', rules: [], upstreamStatus: 404, latencyMs: 3.25, providers: ['parking'] });
      const bare = record(2, { path: 'x\u00e9y' });
      delete bare.sub; delete bare.clientId; delete bare.tenant; delete bare.rules; delete bare.upstreamStatus;
      await store.appendBatch([full, bare]);
      expect(await store.readRange(1, 10)).toEqual([full, bare]);
      const back = (await store.readRange(2, 1))[0] as AuditRecord;
      expect(Object.keys(back)).not.toContain('sub');
      expect(Object.keys(back)).not.toContain('rules');
      expect(Object.keys(back)).not.toContain('providers');
      expect(await store.lastRecord()).toEqual(bare);
    });

    it('keeps numbers and text exactly as given, whatever their form', async () => {
      const store = s.audit();
      const awkward = [0.1 + 0.2, 1e-7, 123456.789, 0, 5e21].map((latencyMs, i) => record(i + 1, {
        latencyMs,
        upstreamStatus: 200 + i,
        contractRevision: 7 + i,
        auditLevel: 'detailed',
        path: `/a "quoted" \\ back\nline \u{1F697} \u00e9 ${i}`,
        decided: { types: ['https://t.example/"T"'], attrs: ['a\\b'] },
      }));
      await store.appendBatch(awkward);
      expect(await store.readRange(1, 10)).toEqual(awkward);
    });

    it('pages by seq and reports an empty log', async () => {
      const store = s.audit();
      expect(await store.lastRecord()).toBeUndefined();
      expect(await store.readRange(1, 5)).toEqual([]);
      await store.appendBatch(Array.from({ length: 12 }, (_, i) => record(i + 1)));
      expect((await store.readRange(1, 5)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      expect((await store.readRange(11, 5)).map((r) => r.seq)).toEqual([11, 12]);
      expect((await store.lastRecord())?.seq).toBe(12);
    });

    it('writes a batch and its checkpoints atomically: a duplicate seq leaves nothing behind', async () => {
      const store = s.audit();
      await store.appendBatch([record(1)]);
      const cp = { seq: 3, hash: 'h', time: '2025-01-01T00:00:00.000Z', kid: 'k', signature: 's' };
      await expect(store.appendBatch([record(2), record(3), record(1)], [cp])).rejects.toThrow(/UNIQUE|duplicate key/);
      expect((await store.readRange(1, 10)).map((r) => r.seq)).toEqual([1]);
      expect(await store.checkpoints()).toEqual([]);
      await store.appendCheckpoint({ ...cp, seq: 1 });
      await store.appendBatch([record(2)], [{ ...cp, seq: 2 }]);
      expect(await store.checkpoints()).toEqual([{ ...cp, seq: 1 }, { ...cp, seq: 2 }]);
    });

    it('takes a batch of checkpoints without records', async () => {
      const store = s.audit();
      await store.appendBatch([record(1)]);
      const cp = { seq: 1, hash: 'h', time: '2025-01-01T00:00:00.000Z', kid: 'k', signature: 's' };
      await store.appendBatch([], [cp]);
      expect(await store.checkpoints()).toEqual([cp]);
      expect((await store.readRange(1, 10)).map((r) => r.seq)).toEqual([1]);
    });

    it('refuses UPDATE and DELETE on audit tables', async () => {
      await s.audit().appendBatch([record(1)], [{ seq: 1, hash: 'h', time: 't', kid: 'k', signature: 's' }]);
      await expect(s.exec("UPDATE audit_records SET reason = 'x'")).rejects.toThrow(/append-only/);
      await expect(s.exec('DELETE FROM audit_records')).rejects.toThrow(/append-only/);
      await expect(s.exec("UPDATE audit_checkpoints SET hash = 'x'")).rejects.toThrow(/append-only/);
      await expect(s.exec('DELETE FROM audit_checkpoints')).rejects.toThrow(/append-only/);
    });

    it('finds the newest records that released a data subject\'s data, oldest of them first', async () => {
      const released = (seq: number, ids: string[]): AuditRecord => record(seq, {
        time: `2026-01-01T00:00:0${seq}.000Z`,
        released: { purpose: 'https://w3id.org/dpv#ServiceProvision', consents: ['urn:uuid:1'], subjects: ids.map((id) => ({ id, types: ['https://x/EnergyMeter'], attrs: ['https://x/a'] })) },
      });
      await s.audit().appendBatch([released(1, ['urn:p:alice']), released(2, ['urn:p:bob']), released(3, ['urn:p:alice', 'urn:p:bob'])]);
      // On PostgreSQL another instance's segment counts too.
      if (backend.name === 'PostgreSQL') await s.audit('b').appendBatch([record(1, { ...released(4, ['urn:p:alice']), seq: 1 })]);
      const alice = await s.accessHistory('urn:p:alice', 10);
      expect(alice.map((r) => r.time)).toEqual(backend.name === 'PostgreSQL'
        ? ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:04.000Z']
        : ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.000Z']);
      expect((await s.accessHistory('urn:p:bob', 1)).map((r) => r.time)).toEqual(['2026-01-01T00:00:03.000Z']);
      expect(await s.accessHistory('urn:p:nobody', 10)).toEqual([]);
    });

    it('writes a batch whose records release tens of thousands of people\'s data whole', async () => {
      const subjects = Array.from({ length: 40_000 }, (_, i) => ({ id: `urn:p:${i}`, types: ['https://x/EnergyMeter'], attrs: ['https://x/a'] }));
      const many = record(1, { released: { purpose: 'https://w3id.org/dpv#ServiceProvision', consents: ['urn:uuid:1'], subjects } });
      await s.audit().appendBatch([many, record(2)], [{ seq: 2, hash: 'h', time: 't', kid: 'k', signature: 's' }]);
      expect((await s.accessHistory('urn:p:39999', 10)).map((r) => r.seq)).toEqual([1]);
      expect((await s.accessHistory('urn:p:0', 10)).map((r) => r.seq)).toEqual([1]);
    });

    it('names a record whose JSON columns cannot be decoded', async () => {
      const store = s.audit();
      await store.appendBatch([record(1), record(2)]);
      await s.tamper("UPDATE audit_records SET targets = '{broken' WHERE seq = 2");
      const err = await store.readRange(1, 10).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuditRecordCorruptError);
      expect((err as AuditRecordCorruptError).seq).toBe(2);
    });

    {
      it('keeps each instance\'s chain segment apart: same seqs, own last record, own checkpoints', async () => {
        const a = s.audit('a');
        const b = s.audit('b');
        await a.appendBatch([record(1), record(2)], [{ seq: 2, hash: 'ha', time: 't', kid: 'k', signature: 's' }]);
        await b.appendBatch([record(1, { reason: 'from b' })]);
        expect((await a.lastRecord())?.seq).toBe(2);
        expect(await b.readRange(1, 10)).toEqual([record(1, { reason: 'from b' })]);
        expect(await b.checkpoints()).toEqual([]);
        expect((await a.checkpoints()).map((c) => c.hash)).toEqual(['ha']);
        // PostgreSQL: the primary key; SQLite: the segment's head, read under the write lock.
        await expect(b.appendBatch([record(1)])).rejects.toThrow(/duplicate key|stored chain ends at record 1/);
        expect((await b.lastRecord())?.reason).toBe('from b');
      });
    }
  });
});
