/**
 * The SQLite audit log in segments: a file written before segments (one chain) migrates
 * into the default segment and still verifies, checkpoints included; worker segments are
 * chains of their own in the same file, each verified apart, and an edit is found in the
 * segment it was made in; a second writer of a segment commits nothing; the audit list
 * follows records across segments in the order they were written.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, verifyAudit, type AuditCheckpoint, type AuditEvent, type AuditRecord, type AuditStore, type SubjectIndexRow } from '../../src/audit/index.js';
import { openSqlite, SqliteAuditQuery, SqliteAuditStore, SQLITE_MIGRATIONS } from '../../src/store/index.js';
import { RECORD_COLUMNS, fromRow, toRow, type RecordRow } from '../../src/store/sqlite-audit-store.js';
import { ed25519, event, tempDir } from './audit-fixtures.js';

const key = ed25519();
let dir: string;
let cleanup: () => void;
let path: string;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'audit.db');
});
afterEach(() => cleanup());

/** The audit tables as they were through migration 15: one chain, keyed by seq alone. */
function storeBeforeSegments(db: Database.Database): AuditStore {
  const params = RECORD_COLUMNS.split(', ').map((c) => '@' + c).join(', ');
  const insert = db.prepare(`INSERT INTO audit_records (${RECORD_COLUMNS}) VALUES (${params})`);
  const insertCp = db.prepare('INSERT INTO audit_checkpoints (seq, hash, time, kid, signature) VALUES (@seq, @hash, @time, @kid, @signature)');
  const insertSubject = db.prepare('INSERT INTO audit_data_subjects (subject, seq) VALUES (?, ?)');
  const write = db.transaction((records: readonly AuditRecord[], cps: readonly AuditCheckpoint[]) => {
    for (const r of records) {
      insert.run(toRow(r));
      for (const subject of r.released?.subjects ?? []) insertSubject.run(subject.id, r.seq);
    }
    for (const cp of cps) insertCp.run({ seq: cp.seq, hash: cp.hash, time: cp.time, kid: cp.kid, signature: cp.signature });
  });
  return {
    appendBatch: async (records, cps = []) => { write(records, cps); },
    readRange: async (from, limit) => (db.prepare(`SELECT ${RECORD_COLUMNS} FROM audit_records WHERE seq >= ? ORDER BY seq LIMIT ?`).all(from, limit) as RecordRow[]).map(fromRow),
    lastRecord: async () => {
      const row = db.prepare(`SELECT ${RECORD_COLUMNS} FROM audit_records ORDER BY seq DESC LIMIT 1`).get() as RecordRow | undefined;
      return row === undefined ? undefined : fromRow(row);
    },
    appendCheckpoint: async (cp) => { write([], [cp]); },
    checkpoints: async () => db.prepare('SELECT seq, hash, time, kid, signature FROM audit_checkpoints ORDER BY seq').all() as AuditCheckpoint[],
    readSubjectIndex: async (after, limit) => db.prepare(
      'SELECT seq, subject FROM audit_data_subjects WHERE (seq, subject) > (?, ?) ORDER BY seq, subject LIMIT ?',
    ).all(after?.seq ?? -1, after?.subject ?? '', limit) as SubjectIndexRow[],
  };
}

/** `n` records; every tenth released a data subject's data (`subject-<seq>` of a log started at 0). */
async function writeLog(store: AuditStore, n: number, from = 0): Promise<void> {
  const log = await AuditLog.open({ store, signingKey: key.privateKey, checkpointEvery: 10 });
  const released = (i: number): Partial<AuditEvent> => (i % 10 === 0 ? { released: { consents: [], subjects: [{ id: `subject-${i + 1}`, types: [], attrs: [] }] } } : {});
  await Promise.all(Array.from({ length: n }, (_, i) => log.append(event(from + i, released(from + i)))));
  await log.close();
}

describe('migration 16: the audit log in segments', () => {
  it('keeps a log written before segments as the default segment, still intact with its checkpoints and subjects', async () => {
    const old = openSqlite(path, { migrations: SQLITE_MIGRATIONS.slice(0, 15) });
    await writeLog(storeBeforeSegments(old), 25);
    const before = await verifyAudit(storeBeforeSegments(old), key.publicKey);
    old.close();
    expect(before).toEqual({ ok: true, records: 25, checkpoints: 3 });

    const db = openSqlite(path);
    try {
      expect(SqliteAuditStore.segments(db)).toEqual(['']);
      const store = new SqliteAuditStore(db);
      expect(await verifyAudit(store, key.publicKey, { checkpointEvery: 10 })).toEqual(before);
      // The data subjects' index moved with its records.
      expect(new SqliteAuditQuery(db, { subject: 'subject-11' }).newest(10).map((r) => r.seq)).toEqual([11]);
      // The default segment goes on where it was; the append-only triggers are back.
      await writeLog(store, 5, 25);
      expect(await verifyAudit(store, key.publicKey)).toMatchObject({ ok: true, records: 30 });
      expect(() => db.exec("UPDATE audit_records SET effect = 'permit'")).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM audit_checkpoints')).toThrow(/append-only/);
      expect(() => db.exec('DELETE FROM audit_data_subjects')).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });
});

describe('SqliteAuditStore segments', () => {
  it('keeps each worker\'s chain apart in one file: each verifies, an edit is found in its own segment only', async () => {
    const db = openSqlite(path);
    try {
      const w0 = new SqliteAuditStore(db, { segment: 'i-1.w0' });
      const w1 = new SqliteAuditStore(db, { segment: 'i-1.w1' });
      await Promise.all([writeLog(w0, 23), writeLog(w1, 17, 100)]);
      expect(SqliteAuditStore.segments(db)).toEqual(['i-1.w0', 'i-1.w1']);
      expect(await verifyAudit(w0, key.publicKey, { checkpointEvery: 10 })).toEqual({ ok: true, records: 23, checkpoints: 3 });
      expect(await verifyAudit(w1, key.publicKey, { checkpointEvery: 10 })).toEqual({ ok: true, records: 17, checkpoints: 2 });
      const attacker = new Database(path);
      attacker.exec('DROP TRIGGER audit_records_no_update');
      attacker.prepare("UPDATE audit_records SET reason = 'altered' WHERE segment = 'i-1.w1' AND seq = 5").run();
      attacker.close();
      expect(await verifyAudit(w0, key.publicKey)).toMatchObject({ ok: true, records: 23 });
      expect(await verifyAudit(w1, key.publicKey)).toMatchObject({ ok: false, records: 4, firstBad: { seq: 5, problem: 'hash_mismatch' } });
    } finally {
      db.close();
    }
  });

  it('commits nothing from a second writer of a segment: the head is read under the write lock', async () => {
    const db = openSqlite(path);
    const other = openSqlite(path);
    try {
      const first = new SqliteAuditStore(db, { segment: 's' });
      await writeLog(first, 3);
      // A second log on the same segment, opened before the first wrote more: it chains onto record 3.
      const second = await AuditLog.open({ store: new SqliteAuditStore(other, { segment: 's' }), signingKey: key.privateKey, checkpointEvery: 10 });
      await writeLog(first, 2, 3);
      await expect(second.append(event(50))).rejects.toMatchObject({ reason: 'audit_write_failed' });
      await second.close().catch(() => undefined);
      expect(await verifyAudit(first, key.publicKey)).toMatchObject({ ok: true, records: 5 });
    } finally {
      other.close();
      db.close();
    }
  });

  it('lists and follows records across segments in the order they were written', async () => {
    const db = openSqlite(path);
    try {
      const a = new SqliteAuditStore(db, { segment: 'a' });
      const b = new SqliteAuditStore(db, { segment: 'b' });
      await writeLog(a, 2, 0);
      await writeLog(b, 3, 10);
      await writeLog(a, 1, 20);
      const q = new SqliteAuditQuery(db, {});
      expect(q.lastPosition()).toBe(6);
      expect(q.newest(10).map((r) => r.decisionId)).toEqual(['d-0', 'd-1', 'd-10', 'd-11', 'd-12', 'd-20']);
      expect(q.newest(2, 4).map((r) => r.decisionId)).toEqual(['d-10', 'd-11']);
      const page = q.after(1, 3);
      expect(page.records.map((r) => [r.decisionId, r.segment, r.seq])).toEqual([['d-1', 'a', 2], ['d-10', 'b', 1], ['d-11', 'b', 2]]);
      expect(page.last).toBe(4);
      expect(q.after(page.last, 10).records.map((r) => r.decisionId)).toEqual(['d-12', 'd-20']);
      expect(q.after(6, 10)).toEqual({ records: [], last: 6 });
    } finally {
      db.close();
    }
  });
});
