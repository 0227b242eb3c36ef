import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, GENESIS_HASH, recordHash, verifyAudit, type AuditCheckpoint, type AuditEvent, type AuditRecord } from '../../src/audit/index.js';
import { MimtrustError } from '../../src/errors/index.js';
import { openSqlite, SqliteAuditStore, type SqliteDatabase } from '../../src/store/index.js';
import type { AuditStore } from '../../src/audit/index.js';
import { ed25519, event, tempDir } from './audit-fixtures.js';

let dir: string;
let cleanup: () => void;
let path: string;
const opened: SqliteDatabase[] = [];
const key = ed25519();

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'audit', 'mimtrust.db');
});
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
  cleanup();
});

function openStore(options: Parameters<typeof openSqlite>[1] = {}): { db: SqliteDatabase; store: SqliteAuditStore } {
  const db = openSqlite(path, options);
  opened.push(db);
  return { db, store: new SqliteAuditStore(db) };
}

/** Delegates to a real store and records the size of every batch written. */
function countingStore(inner: AuditStore): AuditStore & { batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    appendBatch: async (records, checkpoints) => {
      batches.push(records.length);
      return inner.appendBatch(records, checkpoints);
    },
    readRange: (from, limit) => inner.readRange(from, limit),
    lastRecord: () => inner.lastRecord(),
    appendCheckpoint: (cp) => inner.appendCheckpoint(cp),
    checkpoints: () => inner.checkpoints(),
    readSubjectIndex: (after, limit) => inner.readSubjectIndex(after, limit),
  };
}

async function allRecords(store: AuditStore): Promise<AuditRecord[]> {
  return store.readRange(1, 1_000_000);
}

describe('AuditLog', () => {
  it('writes an append made withNext with the next batch, not in one of its own', async () => {
    const { store } = openStore();
    const counting = countingStore(store);
    const log = await AuditLog.open({ store: counting, signingKey: key.privateKey });
    const outcome = log.append(event(0), { withNext: true });
    // A turn later it is still queued: it started no batch.
    await new Promise((r) => setImmediate(r));
    expect(counting.batches).toEqual([]);
    await log.append(event(1));
    await outcome;
    expect(counting.batches).toEqual([2]);
    expect((await allRecords(store)).map((r) => r.requestId)).toEqual([event(0).requestId, event(1).requestId]);
  });

  it('writes an append made withNext alone once no batch came for WITH_NEXT_WITHIN_MS, and at close', async () => {
    const { store } = openStore();
    const counting = countingStore(store);
    const log = await AuditLog.open({ store: counting, signingKey: key.privateKey });
    await log.append(event(0), { withNext: true });
    expect(counting.batches).toEqual([1]);
    const last = log.append(event(1), { withNext: true });
    await log.close();
    await last;
    expect(counting.batches).toEqual([1, 1]);
    expect(await allRecords(store)).toHaveLength(2);
  });

  it('chains 1000 concurrent appends into contiguous seqs with few transactions', async () => {
    const { store } = openStore();
    const counting = countingStore(store);
    const log = await AuditLog.open({ store: counting, signingKey: key.privateKey, checkpointEvery: 400 });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => log.append(event(i))));
    // Same event-loop turn: batches of maxBatch (256) and the rest, not 1000 transactions.
    expect(counting.batches).toEqual([256, 256, 256, 232]);
    const records = await allRecords(store);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(records[0]?.prevHash).toBe(GENESIS_HASH);
    expect(records[0]?.decisionId).toBe('d-0');
    expect(records[999]?.prevHash).toBe(records[998]?.hash);
    expect(records[999]?.hash).toBe(recordHash(records[998]!.hash, 1000, records[999]!));
    expect(log.lastSeq).toBe(1000);
    expect((await store.checkpoints()).map((c) => c.seq)).toEqual([400, 800]);
    await log.close();
    expect((await store.checkpoints()).map((c) => c.seq)).toEqual([400, 800, 1000]);
    expect(await verifyAudit(store, key.publicKey)).toEqual({ ok: true, records: 1000, checkpoints: 3 });
  });

  it('groups appends from one turn into one transaction and later turns into their own', async () => {
    const { store } = openStore();
    const counting = countingStore(store);
    const log = await AuditLog.open({ store: counting, signingKey: key.privateKey });
    await Promise.all([log.append(event(1)), log.append(event(2)), log.append(event(3))]);
    await log.append(event(4));
    expect(counting.batches).toEqual([3, 1]);
    await log.close();
  });

  it('resolves an append only after its record can be read back from disk', async () => {
    const { store } = openStore();
    const log = await AuditLog.open({ store, signingKey: key.privateKey });
    await log.append(event(7));
    const other = new Database(path, { readonly: true });
    try {
      expect(other.prepare('SELECT decision_id FROM audit_records').all()).toEqual([{ decision_id: 'd-7' }]);
    } finally {
      other.close();
    }
    await log.close();
  });

  it('continues the chain after the store is reopened', async () => {
    const first = openStore();
    let log = await AuditLog.open({ store: first.store, signingKey: key.privateKey, checkpointEvery: 5 });
    await Promise.all(Array.from({ length: 7 }, (_, i) => log.append(event(i))));
    await log.close();
    first.db.close();

    const { store } = openStore();
    log = await AuditLog.open({ store, signingKey: key.privateKey, checkpointEvery: 5 });
    expect(log.lastSeq).toBe(7);
    await Promise.all(Array.from({ length: 5 }, (_, i) => log.append(event(100 + i))));
    await log.close();
    const records = await allRecords(store);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(records[7]?.prevHash).toBe(records[6]?.hash);
    // 5 (interval), 7 (close), 10 (interval), 12 (close)
    expect((await store.checkpoints()).map((c: AuditCheckpoint) => c.seq)).toEqual([5, 7, 10, 12]);
    expect(await verifyAudit(store, key.publicKey)).toEqual({ ok: true, records: 12, checkpoints: 4 });
  });

  it('does not sign a second checkpoint at the same head on close', async () => {
    const { store } = openStore();
    const log = await AuditLog.open({ store, signingKey: key.privateKey, checkpointEvery: 2 });
    await Promise.all([log.append(event(1)), log.append(event(2))]);
    await log.close();
    expect((await store.checkpoints()).map((c) => c.seq)).toEqual([2]);
  });

  it('rejects every pending append when the write fails on a read-only database', async () => {
    openStore().db.close();
    const { store } = openStore({ readonly: true });
    const log = await AuditLog.open({ store, signingKey: key.privateKey });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => log.append(event(i))));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const reason = (results[0] as PromiseRejectedResult).reason as MimtrustError;
    expect(reason).toBeInstanceOf(MimtrustError);
    expect(reason.reason).toBe('audit_write_failed');
    expect(reason.status).toBe(503);
    expect(String((reason.cause as Error).message)).toMatch(/readonly/i);
  });

  it('rejects pending appends when the database is closed underneath', async () => {
    const { db, store } = openStore();
    const log = await AuditLog.open({ store, signingKey: key.privateKey });
    await log.append(event(1));
    const pending = [log.append(event(2)), log.append(event(3))];
    db.close();
    for (const p of pending) await expect(p).rejects.toMatchObject({ reason: 'audit_write_failed' });
  });

  it('recovers after a transient lock: rejected records leave no hole, the chain continues', async () => {
    const { store } = openStore({ busyTimeoutMs: 0 });
    const log = await AuditLog.open({ store, signingKey: key.privateKey });
    await log.append(event(1));

    const locker = new Database(path);
    locker.exec('BEGIN EXCLUSIVE');
    const failed = await Promise.allSettled([log.append(event(2)), log.append(event(3))]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String(((failed[0] as PromiseRejectedResult).reason as MimtrustError).cause)).toMatch(/locked|busy/i);
    locker.exec('ROLLBACK');
    locker.close();

    await Promise.all([log.append(event(4)), log.append(event(5))]);
    await log.close();
    const records = await allRecords(store);
    expect(records.map((r) => [r.seq, r.decisionId])).toEqual([[1, 'd-1'], [2, 'd-4'], [3, 'd-5']]);
    expect(await verifyAudit(store, key.publicKey)).toMatchObject({ ok: true, records: 3 });
  });

  it('reloads the head after a write lost to another writer and continues after it', async () => {
    const { store } = openStore();
    const a = await AuditLog.open({ store, signingKey: key.privateKey });
    const b = await AuditLog.open({ store, signingKey: key.privateKey });
    await a.append(event(1));
    await expect(b.append(event(2))).rejects.toMatchObject({ reason: 'audit_write_failed' });
    await b.append(event(3));
    // a still believes the head is 1: its write collides, then it re-reads the head.
    await expect(a.append(event(4))).rejects.toMatchObject({ reason: 'audit_write_failed' });
    await a.append(event(5));
    const records = await allRecords(store);
    expect(records.map((r) => r.decisionId)).toEqual(['d-1', 'd-3', 'd-5']);
    expect(await verifyAudit(store, key.publicKey)).toMatchObject({ ok: true, records: 3 });
  });

  it('refuses the callers of a batch whose flush failed and of every batch handed over after it, then continues from the stored head', async () => {
    const { store } = openStore();
    // The real store commits each batch at once; its flush to disk is late, and the second one fails (as a failed fdatasync would).
    let handed = 0;
    const lateFlush: AuditStore = {
      ...countingStore(store),
      commitBatch: (records, checkpoints) => {
        store.commitBatch(records, checkpoints);
        const n = ++handed;
        return { durable: new Promise<void>((resolve, reject) => setTimeout(() => (n === 2 ? reject(new Error('EIO')) : resolve()), 40)) };
      },
    };
    const log = await AuditLog.open({ store: lateFlush, signingKey: key.privateKey });
    const turns: Array<Array<Promise<unknown>>> = [];
    for (let t = 0; t < 4; t++) {
      turns.push([1, 2].map((i) => log.append(event(t * 2 + i)).then(() => 'ok', (e: unknown) => e)));
      await new Promise((r) => setImmediate(r));
    }
    expect(handed).toBe(4);
    const settled = await Promise.all(turns.map((t) => Promise.all(t)));
    expect(settled[0]).toEqual(['ok', 'ok']);
    // Batches 3 and 4 were committed, and their flushes succeeded, but they were chained onto batch 2.
    for (const t of settled.slice(1)) for (const r of t) expect(r).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'audit_write_failed' });
    await log.append(event(100));
    const records = await allRecords(store);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(records[8]?.decisionId).toBe('d-100');
    expect(await verifyAudit(store, key.publicKey)).toMatchObject({ ok: true, records: 9 });
  });

  it('does not refuse what was appended after a failure when a batch chained onto the failed one fails late', async () => {
    const { store } = openStore();
    // Batch 1's commit is refused; batch 2 (chained onto it, handed over before that was known) is answered only when the test says so.
    const answers: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
    const controlled: AuditStore = {
      ...countingStore(store),
      commitBatch: () => ({ durable: new Promise<void>((resolve, reject) => { answers.push({ resolve, reject }); }) }),
    };
    const log = await AuditLog.open({ store: controlled, signingKey: key.privateKey });
    const first = log.append(event(1)).then(() => 'ok', (e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    const second = log.append(event(2)).then(() => 'ok', (e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    expect(answers).toHaveLength(2);
    answers[0]?.reject(new Error('refused'));
    expect(await first).toMatchObject({ reason: 'audit_write_failed' });
    expect(await second).toMatchObject({ reason: 'audit_write_failed' });
    // Appended after the failure: the first waits for batch 2 to settle before re-reading
    // the head, the second is queued behind it.
    const later = log.append(event(3)).then(() => 'ok', (e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    const queued = log.append(event(4)).then(() => 'ok', (e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    answers[1]?.reject(new Error('chained onto a refused batch'));
    for (let i = 0; i < 50 && answers.length < 4; i++) await new Promise((r) => setTimeout(r, 5));
    expect(answers).toHaveLength(4);
    answers[2]?.resolve();
    answers[3]?.resolve();
    expect(await later).toBe('ok');
    expect(await queued).toBe('ok');
  });

  it('rejects a malformed event on its own without disturbing the batch', async () => {
    const { store } = openStore();
    const log = await AuditLog.open({ store, signingKey: key.privateKey });
    const bad = { ...event(2), latencyMs: Number.NaN };
    const results = await Promise.allSettled([log.append(event(1)), log.append(bad), log.append({ ...event(3), effect: 'maybe' as 'permit' }), log.append(event(4))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ reason: 'audit_event_invalid' });
    expect((await allRecords(store)).map((r) => r.decisionId)).toEqual(['d-1', 'd-4']);
    await log.close();
  });

  it('stores only known fields and text SQLite can give back unchanged', async () => {
    const { store } = openStore();
    const log = await AuditLog.open({ store, signingKey: key.privateKey });
    const odd = { ...event(1, { path: '/e/\uD800x', targets: { entityIds: ['a\u0000b'], types: [], attrs: [] } }), extra: 'ignored' };
    await log.append(odd);
    await log.close();
    const [stored] = await allRecords(store);
    expect(stored?.path).toBe('/e/\uFFFDx');
    expect(stored?.targets.entityIds).toEqual(['a\u0000b']);
    expect(stored).not.toHaveProperty('extra');
    expect(await verifyAudit(store, key.publicKey)).toMatchObject({ ok: true, records: 1 });
  });

  it('writes the same hashes as before the log hashed its copies by the normalised payload', async () => {
    // Hashes of these two events as records 1 and 2 of a log, taken with the general
    // chainPayload: a record's hash must never change with how it is computed.
    const events: AuditEvent[] = [
      {
        time: '2025-01-01T00:00:00.000Z', decisionId: 'd-1', requestId: 'r-1', issuer: 'https://idp.city.example', sub: 'citizen-1', clientId: 'wallet-app', binding: 'dpop',
        operation: 'entity.query', action: 'read', tenant: 'city',
        targets: { entityIds: Array.from({ length: 40 }, (_, i) => `urn:ngsi-ld:Vehicle:${i}`), types: ['Vehicle'], attrs: ['speed', 'x'.repeat(600)] },
        effect: 'permit', reason: 'permitted', rules: ['urn:contract:mobility#r1'], upstreamStatus: 200, latencyMs: 12.345, method: 'GET', path: '/ngsi-ld/v1/entities?type=Vehicle',
        decided: { types: ['https://uri.fiware.org/ns/dataModels#Vehicle'], attrs: ['https://uri.fiware.org/ns/dataModels#speed'] }, contractRevision: 7, auditLevel: 'detailed',
        providers: ['urn:org:transit'],
        released: { purpose: 'https://w3id.org/dpv#ServiceProvision', consents: ['urn:uuid:c1'], subjects: [{ id: 'urn:person:\uD800x', types: ['T'], attrs: ['a', 'b'] }] },
      },
      {
        time: '2025-01-01T00:00:01.000Z', decisionId: 'd-2', requestId: 'r-2', operation: 'consent.given', action: 'write', targets: { entityIds: [], types: [], attrs: [] },
        effect: 'deny', reason: 'no_matching_permission', latencyMs: 0, method: 'POST', path: '/consents/\uDC00',
        consent: { id: 'urn:uuid:c2', event: 'given', subject: 'urn:person:1', recipient: 'urn:org:x', purposes: ['p1', 'p2'] },
      },
    ];
    const { store } = openStore();
    const log = await AuditLog.open({ store, signingKey: key.privateKey });
    await Promise.all(events.map((e) => log.append(e)));
    await log.close();
    expect((await allRecords(store)).map((r) => r.hash)).toEqual([
      '85b397fd0cb45d1e89755cf2475662b5ddcfe029b4f90529a3f757edde113336',
      '2bc13fc915b7dceedc0705e34161361882bcb5e74823042c77e0824302adca39',
    ]);
    expect(await verifyAudit(store, key.publicKey)).toMatchObject({ ok: true, records: 2 });
  });

  it('refuses appends after close and rejects a bad configuration', async () => {
    const { store } = openStore();
    const log = await AuditLog.open({ store, signingKey: key.privateKey });
    await log.close();
    await expect(log.append(event(1))).rejects.toMatchObject({ reason: 'audit_closed' });
    await expect(AuditLog.open({ store, signingKey: key.privateKey, maxBatch: 0 })).rejects.toMatchObject({ reason: 'audit_config_invalid' });
    await expect(AuditLog.open({ store, signingKey: key.publicKey })).rejects.toMatchObject({ reason: 'audit_key_invalid' });
    await expect(AuditLog.open({ store, signingKey: ed25519().privateKey.export({ format: 'jwk' }) })).resolves.toBeInstanceOf(AuditLog);
  });

  // The cost per append is measured by bench/, not asserted here; that append only queues is.
  it('records thousands of appends issued at once, each once and in order, written after the caller returns', async () => {
    const { store } = openStore();
    const counting = countingStore(store);
    const log = await AuditLog.open({ store: counting, signingKey: key.privateKey, maxBatch: 100_000 });
    const n = 5_000;
    const promises = Array.from({ length: n }, (_, i) => log.append(event(i)));
    // Nothing was hashed into the store while the caller was appending.
    expect(counting.batches).toEqual([]);
    await Promise.all(promises);
    await log.close();
    expect(counting.batches).toEqual([n]);
    expect(log.lastSeq).toBe(n);
    const records = await store.readRange(1, n);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });
});

describe('time-based checkpoints', () => {
  it('signs a checkpoint with the first batch after the interval, even below checkpointEvery', async () => {
    const { dir, cleanup } = tempDir();
    const db = openSqlite(join(dir, 't.db'));
    const store = new SqliteAuditStore(db);
    let clock = Date.UTC(2026, 0, 1);
    const keys = ed25519();
    const log = await AuditLog.open({ store, signingKey: keys.privateKey, checkpointEvery: 1000, checkpointIntervalMs: 60_000, now: () => new Date(clock) });
    await log.append(event(1));
    expect(await store.checkpoints()).toHaveLength(0);
    clock += 61_000;
    await log.append(event(2));
    const cps = await store.checkpoints();
    expect(cps.map((c) => c.seq)).toEqual([2]);
    clock += 10_000;
    await log.append(event(3));
    expect(await store.checkpoints()).toHaveLength(1);
    await log.close();
    db.close();
    cleanup();
  });
});
