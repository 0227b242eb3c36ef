import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { AuditLog, verifyAudit, type AuditEvent, type AuditRecord } from '../../src/audit/index.js';
import { openSqlite, SqliteAuditStore, SqliteAuditWriterThread, type SqliteDatabase } from '../../src/store/index.js';
import { tempDir, ed25519, event } from '../unit/audit-fixtures.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Opened {
  path: string;
  db: SqliteDatabase;
  store: SqliteAuditWriterThread;
  keys: { privateKey: KeyObject; publicKey: KeyObject };
  syncs: number[];
  stopped: unknown[];
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function open(fsync = true): Opened {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'audit.db');
  const db = openSqlite(path);
  const syncs: number[] = [];
  const stopped: unknown[] = [];
  const store = new SqliteAuditWriterThread(db, { path, fsync, onSync: (s) => syncs.push(s), onStopped: (e) => stopped.push(e) });
  cleanups.push(cleanup, () => { db.close(); }, () => store.close());
  return { path, db, store, keys: ed25519(), syncs, stopped };
}

async function verify(path: string, publicKey: KeyObject): Promise<Awaited<ReturnType<typeof verifyAudit>>> {
  const db = openSqlite(path, { readonly: true });
  try {
    return await verifyAudit(new SqliteAuditStore(db), publicKey);
  } finally {
    db.close();
  }
}

function storedDecisions(db: SqliteDatabase): Set<string> {
  return new Set((db.prepare('SELECT decision_id FROM audit_records').all() as Array<{ decision_id: string }>).map((r) => r.decision_id));
}

/** Appends `count` events over several event-loop turns without waiting, so batches are handed over while earlier ones are on their way to the disk. */
async function appendOverTurns(log: AuditLog, from: number, count: number, perTurn: number, during?: (i: number) => void): Promise<Array<PromiseSettledResult<void>>> {
  const pending: Array<Promise<void>> = [];
  for (let i = from; i < from + count; i++) {
    const appended = log.append(event(i));
    // Handled at once: an append refused while later turns run is expected here.
    appended.catch(() => undefined);
    pending.push(appended);
    if ((i - from + 1) % perTurn === 0) {
      during?.(i);
      await turn();
    }
  }
  return Promise.allSettled(pending);
}

describe('the SQLite audit writer thread', () => {
  it('writes pipelined batches in the thread, resolves each append once durable, reports the flushes, and the chain verifies', async () => {
    const o = open();
    const log = await AuditLog.open({ store: o.store, signingKey: o.keys.privateKey, checkpointEvery: 50 });
    const results = await appendOverTurns(log, 1, 400, 7);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    // Every resolved append is in the store (read on the main thread's connection).
    expect(storedDecisions(o.db).size).toBe(400);
    expect(o.syncs.length).toBeGreaterThan(0);
    expect(o.syncs.every((s) => s >= 0)).toBe(true);
    await log.close();
    await o.store.close();
    expect(o.stopped).toEqual([]);
    const result = await verify(o.path, o.keys.publicKey);
    expect(result).toMatchObject({ ok: true, records: 400 });
    expect((await o.store.checkpoints()).length).toBeGreaterThanOrEqual(8);
  });

  it('never commits a batch chained onto one the store refused, refuses its callers, and continues from the stored head', async () => {
    const o = open();
    const log = await AuditLog.open({ store: o.store, signingKey: o.keys.privateKey });
    expect((await appendOverTurns(log, 1, 10, 5)).every((r) => r.status === 'fulfilled')).toBe(true);
    // The store fails mid-stream: record 23 cannot be inserted.
    o.db.exec("CREATE TRIGGER refuse_23 BEFORE INSERT ON audit_records WHEN NEW.seq = 23 BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
    const results = await appendOverTurns(log, 11, 40, 4);
    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [i + 11] : []));
    expect(refused).toContain(23);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'audit_write_failed' });
    // Nothing at or after the refused batch that was chained onto it committed...
    const stored = storedDecisions(o.db);
    for (const i of refused) expect(stored.has(`d-${i}`)).toBe(false);
    // ...and every append that resolved is stored.
    results.forEach((r, i) => { if (r.status === 'fulfilled') expect(stored.has(`d-${i + 11}`)).toBe(true); });
    o.db.exec('DROP TRIGGER refuse_23');
    expect((await appendOverTurns(log, 100, 20, 6)).every((r) => r.status === 'fulfilled')).toBe(true);
    await log.close();
    await o.store.close();
    expect(await verify(o.path, o.keys.publicKey)).toMatchObject({ ok: true, records: 30 + 40 - refused.length });
  });

  it('refuses, in the thread, a batch handed over behind one that failed', async () => {
    const o = open();
    const log = await AuditLog.open({ store: o.store, signingKey: o.keys.privateKey });
    await log.append(event(1));
    await log.close();
    const [first] = await o.store.readRange(1, 1);
    // Two batches chained by hand, the first refused by a trigger; the second is handed over before the first has failed.
    o.db.exec("CREATE TRIGGER refuse_2 BEFORE INSERT ON audit_records WHEN NEW.seq = 2 BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
    const a: AuditRecord = { ...event(2), seq: 2, prevHash: (first as AuditRecord).hash, hash: 'a'.repeat(64) };
    const b: AuditRecord = { ...event(3), seq: 3, prevHash: a.hash, hash: 'b'.repeat(64) };
    const failedA = o.store.commitBatch([a]).durable;
    const failedB = o.store.commitBatch([b]).durable;
    await expect(failedA).rejects.toThrow(/refused for the test/);
    await expect(failedB).rejects.toMatchObject({ name: 'SegmentHeadMoved' });
    expect([...storedDecisions(o.db)]).toEqual(['d-1']);
  });

  it('refuses what a stopped thread held, starts a new one on the next write, and the chain verifies', async () => {
    const o = open();
    const log = await AuditLog.open({ store: o.store, signingKey: o.keys.privateKey, checkpointEvery: 100 });
    let killed = false;
    const results = await appendOverTurns(log, 1, 300, 5, (i) => {
      if (i >= 150 && !killed) {
        killed = true;
        void o.store.worker?.terminate();
      }
    });
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'audit_write_failed' });
    expect(o.stopped.length).toBeGreaterThan(0);
    // No 2xx without its record: every resolved append is stored.
    const stored = storedDecisions(o.db);
    results.forEach((r, i) => { if (r.status === 'fulfilled') expect(stored.has(`d-${i + 1}`)).toBe(true); });
    // Later appends work again on a new thread.
    expect((await appendOverTurns(log, 1000, 50, 10)).every((r) => r.status === 'fulfilled')).toBe(true);
    await log.close();
    await o.store.close();
    const result = await verify(o.path, o.keys.publicKey);
    expect(result.ok).toBe(true);
    expect(result.records).toBe(storedDecisions(o.db).size);
    expect(result.records).toBeGreaterThanOrEqual(300 - refused.length + 50);
  });

  it('flushes the batches that wait for the thread together, and answers each once that flush is done', async () => {
    const o = open();
    // Twenty batches handed over in one turn, chained by hand: they reach the thread while it is busy with the first.
    const records: AuditRecord[] = Array.from({ length: 20 }, (_, i) => ({ ...event(i + 1), seq: i + 1, prevHash: 'p'.repeat(64), hash: 'h'.repeat(64) }));
    const durable = records.map((r) => o.store.commitBatch([r]).durable);
    await Promise.all(durable);
    expect(storedDecisions(o.db).size).toBe(20);
    // Fewer flushes than batches: one fdatasync served several of them.
    expect(o.syncs.length).toBeGreaterThan(0);
    expect(o.syncs.length).toBeLessThan(10);
  });

  it('close() lets every write sent finish, without fsync too, and refuses writes after it', async () => {
    const o = open(false);
    const log = await AuditLog.open({ store: o.store, signingKey: o.keys.privateKey });
    const pending = Array.from({ length: 100 }, (_, i) => log.append(event(i + 1)));
    await log.close();
    await o.store.close();
    await Promise.all(pending);
    expect(o.syncs).toEqual([]);
    expect(storedDecisions(o.db).size).toBe(100);
    await expect(o.store.appendBatch([{ ...event(101), seq: 101, prevHash: 'x', hash: 'y' }])).rejects.toThrow(/closed/);
    expect(await verify(o.path, o.keys.publicKey)).toMatchObject({ ok: true, records: 100, checkpoints: 1 });
  });

  it('stores every field of a record as it was appended, optional ones and text outside ASCII included, as the same-thread store does', async () => {
    const o = open();
    const log = await AuditLog.open({ store: o.store, signingKey: o.keys.privateKey });
    // Every optional field set, each column's value distinct from the others' (a value in
    // the wrong column shows), and text JSON and SQLite must carry unchanged: quotes,
    // backslashes, control characters, NUL, U+2028, combining marks, CJK, astral emoji.
    const odd = 'Zürich "Nord" \\ e\u0301 東京 🚗\t\n\u0000\u2028 end';
    const full: AuditEvent = {
      time: '2026-12-03T09:00:00.123Z',
      decisionId: `decision ${odd}`,
      requestId: `request ${odd}`,
      issuer: `https://idp.example/${odd}`,
      sub: `sub ${odd}`,
      clientId: `client ${odd}`,
      binding: 'dpop',
      operation: 'entity.query',
      action: 'read',
      tenant: `tenant ${odd}`,
      targets: { entityIds: [`urn:ngsi-ld:Meter:${odd}`, 'urn:ngsi-ld:Meter:2'], types: ['https://example.org/Meter'], attrs: ['reading', `attr ${odd}`] },
      effect: 'permit',
      reason: 'permitted',
      rules: ['urn:contract:energy#r1', `urn:contract:${odd}#r2`],
      upstreamStatus: 206,
      decided: { types: ['https://example.org/Meter'], attrs: [`https://example.org/${odd}`] },
      contractRevision: 42,
      auditLevel: 'detailed',
      providers: ['urn:provider:utility', `urn:provider:${odd}`],
      consent: { id: 'urn:uuid:8a1c2f0e-0000-4000-8000-000000000001', event: 'given', subject: `urn:person:${odd}`, recipient: 'urn:org:app', purposes: ['https://w3id.org/dpv#ServiceProvision'] },
      released: {
        purpose: 'https://w3id.org/dpv#ServiceProvision',
        consents: ['urn:uuid:8a1c2f0e-0000-4000-8000-000000000001'],
        subjects: [
          { id: `urn:person:${odd}`, types: ['https://example.org/Meter'], attrs: ['https://example.org/reading'] },
          { id: 'urn:person:2', types: ['https://example.org/Meter'], attrs: [] },
        ],
      },
      latencyMs: 3,
      method: 'POST',
      path: `/ngsi-ld/v1/entityOperations/query?q=${odd}`,
    };
    const second: AuditEvent = { ...event(2), latencyMs: 1.5 };
    await Promise.all([log.append(full), log.append(second)]);
    await log.close();
    const stored = await o.store.readRange(1, 10);
    expect(stored).toHaveLength(2);
    expect(stored[0]).toEqual({ ...full, seq: 1, prevHash: expect.any(String), hash: expect.any(String) });
    expect(Object.keys(stored[0] as AuditRecord).sort()).toEqual(Object.keys({ ...full, seq: 1, prevHash: '', hash: '' }).sort());
    expect(stored[1]).toEqual({ ...JSON.parse(JSON.stringify(second)), seq: 2, prevHash: (stored[0] as AuditRecord).hash, hash: expect.any(String) });
    expect(await o.store.readSubjectIndex(undefined, 10)).toEqual([{ seq: 1, subject: 'urn:person:2' }, { seq: 1, subject: `urn:person:${odd}` }]);
    await o.store.close();
    expect(await verify(o.path, o.keys.publicKey)).toMatchObject({ ok: true, records: 2 });

    // The same records through the same-thread store: the same rows, value for value and type for type.
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const other = openSqlite(join(dir, 'audit.db'));
    cleanups.push(() => { other.close(); });
    await new SqliteAuditStore(other).appendBatch(stored);
    const rows = (db: SqliteDatabase): unknown[] => [
      db.prepare('SELECT *, typeof(latency_ms) AS latency_type, typeof(seq) AS seq_type FROM audit_records ORDER BY seq').all(),
      db.prepare('SELECT * FROM audit_data_subjects ORDER BY seq, subject').all(),
    ];
    expect(rows(other)).toEqual(rows(o.db));
    expect((rows(o.db)[0] as Array<{ latency_type: string }>).map((r) => r.latency_type)).toEqual(['real', 'real']);
  });
});
