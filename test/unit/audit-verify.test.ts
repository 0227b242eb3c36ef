import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { AuditLog, chainPayload, verifyAudit, type AuditEvent, type AuditRecord } from '../../src/audit/index.js';
import { openSqlite, SqliteAuditStore, type SqliteDatabase } from '../../src/store/index.js';
import type { AuditStore } from '../../src/audit/index.js';
import { ed25519, event, tamper, tamperMany, tempDir } from './audit-fixtures.js';

const key = ed25519();
let dir: string;
let cleanup: () => void;
let path: string;
let db: SqliteDatabase;
let store: SqliteAuditStore;

/** A log of `n` records, checkpoints every `every` and at close; the store stays open. */
async function writeLog(n: number, every: number): Promise<void> {
  const log = await AuditLog.open({ store, signingKey: key.privateKey, checkpointEvery: every });
  await Promise.all(Array.from({ length: n }, (_, i) => log.append(event(i))));
  await log.close();
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'audit.db');
  db = openSqlite(path);
  store = new SqliteAuditStore(db);
});
afterEach(() => {
  db.close();
  cleanup();
});

const PAGE = { pageSize: 7 }; // small pages, so findings fall on and across page boundaries

describe('verifyAudit on an intact log', () => {
  it('accepts an empty log', async () => {
    expect(await verifyAudit(store, key.publicKey)).toEqual({ ok: true, records: 0, checkpoints: 0 });
  });

  it('accepts a log written in several sessions, in any page size', async () => {
    await writeLog(30, 10);
    await writeLog(5, 10);
    for (const pageSize of [1, 7, 35, 1000]) {
      expect(await verifyAudit(store, key.publicKey, { pageSize })).toEqual({ ok: true, records: 35, checkpoints: 4 });
    }
  });

  it('reads the log a page at a time, never all at once', async () => {
    await writeLog(30, 10);
    const limits: number[] = [];
    const spy: AuditStore = {
      appendBatch: (r, c) => store.appendBatch(r, c),
      readRange: (from, limit) => (limits.push(limit), store.readRange(from, limit)),
      lastRecord: () => store.lastRecord(),
      appendCheckpoint: (cp) => store.appendCheckpoint(cp),
      checkpoints: () => store.checkpoints(),
      readSubjectIndex: (after, limit) => store.readSubjectIndex(after, limit),
    };
    expect(await verifyAudit(spy, key.publicKey, { pageSize: 8 })).toMatchObject({ ok: true, records: 30 });
    expect(limits).toEqual([8, 8, 8, 8]);
  });

  it('accepts checkpoints from a rotated key when both public keys are given', async () => {
    await writeLog(10, 5);
    const next = ed25519();
    const log = await AuditLog.open({ store, signingKey: next.privateKey, checkpointEvery: 5 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => log.append(event(100 + i))));
    await log.close();
    expect(await verifyAudit(store, [key.publicKey, next.publicKey])).toMatchObject({ ok: true, records: 15 });
    expect(await verifyAudit(store, key.publicKey)).toMatchObject({ ok: false, firstBad: { seq: 15, problem: 'bad_checkpoint_signature' } });
  });
});

describe('verifyAudit finds tampering', () => {
  beforeEach(async () => {
    await writeLog(40, 10); // checkpoints at 10, 20, 30, 40
  });

  it.each([
    ['reason', "'prohibited'"],
    ['effect', "'deny'"],
    ['sub', "'someone-else'"],
    ['sub', 'NULL'],
    ['tenant', "'other'"],
    ['targets', `'{"entityIds":[],"types":[],"attrs":[]}'`],
    ['rules', `'["urn:contract:x#r9"]'`],
    ['upstream_status', '500'],
    ['latency_ms', '99.5'],
    ['path', "'/ngsi-ld/v1/entities'"],
    ['time', "'2030-01-01T00:00:00.000Z'"],
    ['prev_hash', "'" + 'a'.repeat(64) + "'"],
    ['hash', "'" + 'b'.repeat(64) + "'"],
  ])('an edited %s (set to %s) is a hash mismatch at that record', async (column, value) => {
    tamper(path, `UPDATE audit_records SET ${column} = ${value} WHERE seq = 15`);
    expect(await verifyAudit(store, key.publicKey, PAGE)).toEqual({
      ok: false,
      records: 14,
      firstBad: { seq: 15, problem: 'hash_mismatch', detail: expect.any(String) },
    });
  });

  it('an edited record whose hash was recomputed breaks the link to the next one', async () => {
    const [original] = await store.readRange(15, 1);
    const edited = { ...(original as AuditRecord), effect: 'deny' as const, reason: 'prohibited' };
    const newHash = createHash('sha256').update(edited.prevHash + '\n' + chainPayload(15, edited)).digest('hex');
    tamper(path, "UPDATE audit_records SET effect = 'deny', reason = 'prohibited', hash = ? WHERE seq = 15", newHash);
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({
      ok: false,
      records: 15,
      firstBad: { seq: 16, problem: 'broken_link' },
    });
  });

  it('an undecodable record is a hash mismatch at that record', async () => {
    tamper(path, "UPDATE audit_records SET targets = 'not json' WHERE seq = 9");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 8, firstBad: { seq: 9, problem: 'hash_mismatch' } });
  });

  it('a deleted record in the middle is a gap naming the missing seq', async () => {
    tamper(path, 'DELETE FROM audit_records WHERE seq = 23');
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 22, firstBad: { seq: 23, problem: 'gap' } });
  });

  it('a deleted first record is a gap at seq 1', async () => {
    tamper(path, 'DELETE FROM audit_records WHERE seq = 1');
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 0, firstBad: { seq: 1, problem: 'gap' } });
  });

  it('deleting the record a checkpoint names is a gap there', async () => {
    tamper(path, 'DELETE FROM audit_records WHERE seq = 20');
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 19, firstBad: { seq: 20, problem: 'gap' } });
  });

  it('deleted records with renumbered seqs still fail: the hashes cover the seq', async () => {
    tamperMany(path, ['DELETE FROM audit_records WHERE seq = 12', 'UPDATE audit_records SET seq = seq - 1 WHERE seq > 12']);
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 11, firstBad: { seq: 12, problem: 'hash_mismatch' } });
  });

  it('two records swapped (every column but seq) is a hash mismatch at the first', async () => {
    const cols = 'time, decision_id, request_id, sub, client_id, operation, action, tenant, targets, effect, reason, rules, upstream_status, latency_ms, method, path, prev_hash, hash';
    const set = cols.split(', ').map((c) => `${c} = (SELECT ${c} FROM swap WHERE swap.seq = (CASE audit_records.seq WHEN 5 THEN 8 ELSE 5 END))`).join(', ');
    tamperMany(path, [
      'CREATE TABLE swap AS SELECT * FROM audit_records WHERE seq IN (5, 8)',
      `UPDATE audit_records SET ${set} WHERE seq IN (5, 8)`,
      'DROP TABLE swap',
    ]);
    const rows = db.prepare('SELECT seq, decision_id FROM audit_records WHERE seq IN (5, 8) ORDER BY seq').all();
    expect(rows).toEqual([{ seq: 5, decision_id: 'd-7' }, { seq: 8, decision_id: 'd-4' }]);
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 4, firstBad: { seq: 5, problem: 'hash_mismatch' } });
  });

  it('two records with swapped seqs is a hash mismatch at the first', async () => {
    tamperMany(path, [
      'UPDATE audit_records SET seq = -1 WHERE seq = 31',
      'UPDATE audit_records SET seq = 31 WHERE seq = 33',
      'UPDATE audit_records SET seq = 33 WHERE seq = -1',
    ]);
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 30, firstBad: { seq: 31, problem: 'hash_mismatch' } });
  });

  it('records cut off after a checkpoint is a truncated tail', async () => {
    tamper(path, 'DELETE FROM audit_records WHERE seq > 36');
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 36, firstBad: { seq: 37, problem: 'truncated' } });
  });

  it('the last record before a checkpoint deleted at the end is a truncated tail', async () => {
    tamper(path, 'DELETE FROM audit_records WHERE seq = 40');
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 39, firstBad: { seq: 40, problem: 'truncated' } });
  });

  it('a tampered checkpoint signature is reported at its seq', async () => {
    const [cp] = db.prepare('SELECT signature FROM audit_checkpoints WHERE seq = 20').all() as Array<{ signature: string }>;
    const sig = Buffer.from(cp!.signature, 'base64url');
    sig[0] = (sig[0] as number) ^ 1;
    tamper(path, 'UPDATE audit_checkpoints SET signature = ? WHERE seq = 20', sig.toString('base64url'));
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 19, firstBad: { seq: 20, problem: 'bad_checkpoint_signature' } });
  });

  it('a checkpoint whose time was edited no longer verifies', async () => {
    tamper(path, "UPDATE audit_checkpoints SET time = '2020-01-01T00:00:00.000Z' WHERE seq = 30");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, firstBad: { seq: 30, problem: 'bad_checkpoint_signature' } });
  });

  it('a checkpoint signed by someone else is refused', async () => {
    const forger = await AuditLog.open({ store, signingKey: ed25519().privateKey, checkpointEvery: 1 });
    await forger.append(event(99));
    await forger.close();
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 40, firstBad: { seq: 41, problem: 'bad_checkpoint_signature' } });
  });

  it('a rewritten chain that keeps the old checkpoints is a checkpoint mismatch', async () => {
    // Rewrite records 11..40 with valid hashes and links: only the signed checkpoints catch it.
    const records = await store.readRange(1, 100);
    let prev = (records[9] as AuditRecord).hash;
    const rewrites: string[] = [];
    for (const r of records.slice(10)) {
      const edited = { ...r, reason: 'rewritten' };
      const hash = createHash('sha256').update(prev + '\n' + chainPayload(r.seq, edited)).digest('hex');
      rewrites.push(`UPDATE audit_records SET reason = 'rewritten', prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${r.seq}`);
      prev = hash;
    }
    tamperMany(path, rewrites);
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ ok: false, records: 19, firstBad: { seq: 20, problem: 'checkpoint_mismatch' } });
  });
});

describe('verifyAudit holds the data-subject index to the records', () => {
  // Record i+1 released the data of person-(i % 3), every fifth also of person-x; every
  // fourth (4, 8, 12, …) released nobody's.
  const released = (i: number): AuditEvent['released'] => ({
    consents: ['urn:uuid:c'],
    subjects: [{ id: `person-${i % 3}`, types: [], attrs: [] }, ...(i % 5 === 0 ? [{ id: 'person-x', types: [], attrs: [] }] : [])],
  });
  beforeEach(async () => {
    const log = await AuditLog.open({ store, signingKey: key.privateKey, checkpointEvery: 10 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => log.append(event(i, i % 4 === 3 ? {} : { released: released(i) }))));
    await log.close();
  });
  const subjectIndex = (detail: RegExp, seq: number) => ({ ok: false, records: seq - 1, firstBad: { seq, problem: 'subject_index', detail: expect.stringMatching(detail) } });

  it('accepts the index as written, in any page size', async () => {
    for (const pageSize of [1, 7, 30, 1000]) {
      expect(await verifyAudit(store, key.publicKey, { pageSize })).toEqual({ ok: true, records: 30, checkpoints: 3 });
    }
  });

  it('a deleted row hides a read from its person: named at its record', async () => {
    tamper(path, "DELETE FROM audit_data_subjects WHERE seq = 11 AND subject = 'person-x'");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toEqual(subjectIndex(/lacks "person-x" at record 11/, 11));
  });

  it('an added row shows a person a read that was not of their data', async () => {
    tamper(path, "INSERT INTO audit_data_subjects (subject, segment, seq) VALUES ('person-x', '', 13)");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toEqual(subjectIndex(/names "person-x" at record 13, which released no data of them/, 13));
  });

  it('a row added to a record that released nobody\'s data is found', async () => {
    tamper(path, "INSERT INTO audit_data_subjects (subject, segment, seq) VALUES ('person-0', '', 4)");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toEqual(subjectIndex(/names "person-0" at record 4/, 4));
  });

  it('a row moved to another record is found at the first of the two', async () => {
    tamper(path, "UPDATE audit_data_subjects SET seq = 23 WHERE seq = 21 AND subject = 'person-x'");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toEqual(subjectIndex(/lacks "person-x" at record 21/, 21));
    tamper(path, "UPDATE audit_data_subjects SET seq = 7 WHERE seq = 23 AND subject = 'person-x'");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toEqual(subjectIndex(/names "person-x" at record 7/, 7));
  });

  it('a row pointing to another person is found', async () => {
    tamper(path, "UPDATE audit_data_subjects SET subject = 'person-9' WHERE seq = 2");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toEqual(subjectIndex(/names "person-9" at record 2/, 2));
  });

  it('rows pointing before the first or past the last record are found', async () => {
    tamper(path, "INSERT INTO audit_data_subjects (subject, segment, seq) VALUES ('person-1', '', 31)");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toEqual({
      ok: false, records: 30, firstBad: { seq: 31, problem: 'subject_index', detail: expect.stringMatching(/record 31, but the log ends at record 30/) },
    });
    tamper(path, "INSERT INTO audit_data_subjects (subject, segment, seq) VALUES ('person-1', '', 0)");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toEqual(subjectIndex(/at record 0, which is not in the log/, 1));
  });

  it('a row listed twice (the table rebuilt without its key) is found', async () => {
    tamperMany(path, [
      'CREATE TABLE subjects_copy AS SELECT * FROM audit_data_subjects',
      'DROP TABLE audit_data_subjects',
      'CREATE TABLE audit_data_subjects (subject TEXT, segment TEXT, seq INTEGER)',
      'INSERT INTO audit_data_subjects SELECT * FROM subjects_copy',
      "INSERT INTO audit_data_subjects VALUES ('person-2', '', 9)",
    ]);
    expect(await verifyAudit(store, key.publicKey, PAGE)).toEqual(subjectIndex(/names "person-2" twice at record 9/, 9));
  });

  it('a chain finding before an index finding is reported first, and the other way round', async () => {
    tamper(path, "DELETE FROM audit_data_subjects WHERE seq = 9");
    tamper(path, "UPDATE audit_records SET reason = 'x' WHERE seq = 12");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ records: 8, firstBad: { seq: 9, problem: 'subject_index' } });
    tamper(path, "UPDATE audit_records SET reason = 'x' WHERE seq = 5");
    expect(await verifyAudit(store, key.publicKey, PAGE)).toMatchObject({ records: 4, firstBad: { seq: 5, problem: 'hash_mismatch' } });
  });

  it('reads a flood of forged rows a chunk at a time, never all at once', async () => {
    const db2 = new Database(path);
    db2.exec('DROP TRIGGER IF EXISTS audit_data_subjects_no_update; DROP TRIGGER IF EXISTS audit_data_subjects_no_delete;');
    const insert = db2.prepare("INSERT INTO audit_data_subjects (subject, segment, seq) VALUES (?, '', 27)");
    db2.transaction(() => { for (let i = 0; i < 20_000; i++) insert.run(`forged-${i}`); })();
    db2.close();
    const limits: number[] = [];
    const taken: number[] = [];
    const spy: AuditStore = {
      appendBatch: (r, c) => store.appendBatch(r, c),
      readRange: (from, limit) => store.readRange(from, limit),
      lastRecord: () => store.lastRecord(),
      appendCheckpoint: (cp) => store.appendCheckpoint(cp),
      checkpoints: () => store.checkpoints(),
      readSubjectIndex: async (after, limit) => {
        const rows = await store.readSubjectIndex(after, limit);
        limits.push(limit);
        taken.push(rows.length);
        return rows;
      },
    };
    expect(await verifyAudit(spy, key.publicKey, PAGE)).toEqual(subjectIndex(/names "forged-\d+" at record 27/, 27));
    expect(Math.max(...limits)).toBeLessThanOrEqual(1000);
    // The page holding record 27 needs at most its own rows and one more: a chunk or two are read, not 20,000 rows.
    expect(taken.reduce((a, b) => a + b, 0)).toBeLessThan(2100);
  });
});
