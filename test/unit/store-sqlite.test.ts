import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { applyMigrations, openSqlite, SQLITE_MIGRATIONS } from '../../src/store/index.js';
import { tempDir } from './audit-fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

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
