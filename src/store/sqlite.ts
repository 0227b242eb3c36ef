/**
 * Opens the embedded SQLite database: WAL so readers never block the writer,
 * synchronous=FULL so a committed transaction survives power loss, a busy timeout so
 * concurrent writers wait instead of failing at once, and the schema brought up to date.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MimtrustError } from '../errors/index.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

export type SqliteDatabase = Database.Database;

export interface OpenSqliteOptions {
  /** Open without write access (e.g. to verify the audit log); the schema must be current. */
  readonly?: boolean;
  /** How long a write waits for another connection's lock, in milliseconds. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * FULL (default): every commit waits for the disk. NORMAL: commits return once in the
   * WAL; only for a connection that flushes the WAL itself (the audit writer thread).
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** Schema migrations; defaults to mimtrust's own. */
  migrations?: readonly string[];
}

function isInMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

function storeError(detail: string, reason: string, cause?: unknown): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', detail, { reason, cause });
}

function schemaVersion(db: SqliteDatabase): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  return row?.version ?? 0;
}

/**
 * Applies the migrations the database has not seen, all in one IMMEDIATE transaction so
 * two processes opening the same file cannot both migrate. Returns the resulting version.
 */
export function applyMigrations(db: SqliteDatabase, migrations: readonly string[]): number {
  const migrate = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const current = schemaVersion(db);
    if (current > migrations.length) {
      throw storeError('The database was written by a newer version of mimtrust.', 'store_schema_newer');
    }
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v] as string);
    db.exec('DELETE FROM schema_version');
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(migrations.length);
    return migrations.length;
  });
  return migrate.immediate();
}

export function openSqlite(path: string, options: OpenSqliteOptions = {}): SqliteDatabase {
  const migrations = options.migrations ?? SQLITE_MIGRATIONS;
  const readonly = options.readonly === true;
  let db: SqliteDatabase | undefined;
  try {
    if (!readonly && !isInMemory(path)) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    db = new Database(path, { readonly, fileMustExist: readonly });
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    if (readonly) {
      if (schemaVersion(db) !== migrations.length) {
        throw storeError('The database schema is not current; open it once with write access.', 'store_schema_outdated');
      }
    } else {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
      db.pragma('foreign_keys = ON');
      applyMigrations(db, migrations);
    }
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof MimtrustError) throw err;
    throw storeError('The database could not be opened.', 'store_open_failed', err);
  }
}
