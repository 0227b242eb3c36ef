import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { applyMigrations, openSqlite, SQLITE_MIGRATIONS, SqliteAuditStore } from '../../src/store/index.js';
import { AuditRecordCorruptError } from '../../src/audit/index.js';
import type { AuditRecord } from '../../src/audit/index.js';
import { event, tamper, tempDir } from './audit-fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

function record(seq: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return { ...event(seq), seq, prevHash: 'p'.repeat(64), hash: String(seq).padStart(64, 'h'), ...overrides };
}

describe('openSqlite', () => {
  it('creates the parent folder and opens durably in WAL mode with a busy timeout', () => {
    const path = join(dir, 'nested', 'deeper', 'mimtrust.db');
    const db = openSqlite(path, { busyTimeoutMs: 1234 });
    try {
      expect(existsSync(path)).toBe(true);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
      expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: SQLITE_MIGRATIONS.length }]);
    } finally {
      db.close();
    }
  });

  it('applies only the migrations a database has not seen, each once', () => {
    const path = join(dir, 'm.db');
    const first = ['CREATE TABLE a (x INTEGER)'];
    openSqlite(path, { migrations: first }).close();
    const db = openSqlite(path, { migrations: [...first, 'CREATE TABLE b (y INTEGER)', 'INSERT INTO b VALUES (7)'] });
    try {
      expect(db.prepare('SELECT version FROM schema_version').get()).toEqual({ version: 3 });
      expect(db.prepare('SELECT y FROM b').all()).toEqual([{ y: 7 }]);
      // Re-applying is a no-op (a second CREATE TABLE a would throw).
      expect(applyMigrations(db, [...first, 'CREATE TABLE b (y INTEGER)', 'INSERT INTO b VALUES (7)'])).toBe(3);
      expect(db.prepare('SELECT count(*) AS n FROM b').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it('rolls back a failing migration entirely', () => {
    const path = join(dir, 'm.db');
    expect(() => openSqlite(path, { migrations: ['CREATE TABLE a (x INTEGER)', 'NOT SQL AT ALL'] })).toThrow(MimtrustError);
    const db = new Database(path);
    try {
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'a'").get()).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema', () => {
    const path = join(dir, 'm.db');
    openSqlite(path, { migrations: ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE b (x INTEGER)'] }).close();
    try {
      openSqlite(path, { migrations: ['CREATE TABLE a (x INTEGER)'] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MimtrustError);
      expect((err as MimtrustError).reason).toBe('store_schema_newer');
    }
  });

  it('opens read-only only an existing, current database', () => {
    const path = join(dir, 'ro.db');
    expect(() => openSqlite(path, { readonly: true })).toThrow(/could not be opened/);
    openSqlite(path, { migrations: ['CREATE TABLE a (x INTEGER)'] }).close();
    const newer = ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE b (x INTEGER)'];
    expect(() => openSqlite(path, { readonly: true, migrations: newer })).toThrow(/not current/);
    const other = join(dir, 'ro2.db');
    openSqlite(other).close();
    const ro = openSqlite(other, { readonly: true });
    try {
      expect(() => ro.exec('CREATE TABLE z (x INTEGER)')).toThrow(/readonly/);
    } finally {
      ro.close();
    }
  });
});

describe('SqliteAuditStore', () => {
  it('round-trips records exactly, absent optional fields staying absent', async () => {
    const db = openSqlite(join(dir, 'a.db'));
    const store = new SqliteAuditStore(db);
    const full = record(1, { sub: 's', clientId: 'c', tenant: 't', rules: [], upstreamStatus: 404, latencyMs: 3, providers: ['parking'] });
    const bare = record(2, { sub: undefined, clientId: undefined, tenant: undefined, rules: undefined, upstreamStatus: undefined, path: 'x\u0000y' });
    delete bare.sub; delete bare.clientId; delete bare.tenant; delete bare.rules; delete bare.upstreamStatus;
    await store.appendBatch([full, bare]);
    expect(await store.readRange(1, 10)).toEqual([full, bare]);
    const back = (await store.readRange(2, 1))[0] as AuditRecord;
    expect(Object.keys(back)).not.toContain('sub');
    expect(Object.keys(back)).not.toContain('rules');
    expect(Object.keys(back)).not.toContain('providers');
    expect(await store.lastRecord()).toEqual(bare);
    db.close();
  });

  it('pages by seq and reports an empty log', async () => {
    const db = openSqlite(join(dir, 'a.db'));
    const store = new SqliteAuditStore(db);
    expect(await store.lastRecord()).toBeUndefined();
    expect(await store.readRange(1, 5)).toEqual([]);
    await store.appendBatch(Array.from({ length: 12 }, (_, i) => record(i + 1)));
    expect((await store.readRange(1, 5)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await store.readRange(11, 5)).map((r) => r.seq)).toEqual([11, 12]);
    expect((await store.lastRecord())?.seq).toBe(12);
    db.close();
  });

  it('writes a batch and its checkpoints atomically: a duplicate seq leaves nothing behind', async () => {
    const db = openSqlite(join(dir, 'a.db'));
    const store = new SqliteAuditStore(db);
    await store.appendBatch([record(1)]);
    const cp = { seq: 3, hash: 'h', time: '2025-01-01T00:00:00.000Z', kid: 'k', signature: 's' };
    await expect(store.appendBatch([record(2), record(3), record(1)], [cp])).rejects.toThrow(/UNIQUE/);
    expect((await store.readRange(1, 10)).map((r) => r.seq)).toEqual([1]);
    expect(await store.checkpoints()).toEqual([]);
    await store.appendCheckpoint({ ...cp, seq: 1 });
    await store.appendBatch([record(2)], [{ ...cp, seq: 2 }]);
    expect((await store.checkpoints()).map((c) => c.seq)).toEqual([1, 2]);
    db.close();
  });

  it('refuses UPDATE and DELETE on audit tables', async () => {
    const db = openSqlite(join(dir, 'a.db'));
    const store = new SqliteAuditStore(db);
    await store.appendBatch([record(1)], [{ seq: 1, hash: 'h', time: 't', kid: 'k', signature: 's' }]);
    expect(() => db.prepare("UPDATE audit_records SET reason = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_records').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_checkpoints SET hash = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_checkpoints').run()).toThrow(/append-only/);
    db.close();
  });

  it('names a record whose JSON columns cannot be decoded', async () => {
    const path = join(dir, 'a.db');
    const db = openSqlite(path);
    const store = new SqliteAuditStore(db);
    await store.appendBatch([record(1), record(2)]);
    tamper(path, "UPDATE audit_records SET targets = '{broken' WHERE seq = 2");
    const err = await store.readRange(1, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditRecordCorruptError);
    expect((err as AuditRecordCorruptError).seq).toBe(2);
    db.close();
  });
});
