/**
 * Opens the PostgreSQL store: a connection pool for `store.url`, with the schema brought up
 * to date. Several gateways share one database, so the migration runs under an advisory
 * lock held for its transaction: the first instance to start migrates, the others wait and
 * find the schema current. Every statement elsewhere is parameterised; only table and
 * column names, fixed in code, are ever part of SQL text.
 */
import pg from 'pg';
import { MimtrustError } from '../errors/index.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import type { ChangeEvent } from '../changes/index.js';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

/** Sends a change event when the transaction of `client` commits (PgChangeFeed.publishIn). */
export interface ChangePublisher {
  publishIn(client: PgClient, event: ChangeEvent): Promise<void>;
}

/** Publishes nothing: a store on its own, with no other instance to tell. */
export const NO_PUBLISHER: ChangePublisher = { publishIn: async () => undefined };

export interface OpenPostgresOptions {
  /** Schema migrations; defaults to mimtrust's own. */
  migrations?: readonly string[];
  /** Most connections the pool opens. Default 10. */
  maxConnections?: number;
  /** Look at the schema only: refuse an outdated one instead of migrating (audit verify). */
  readonly?: boolean;
}

/** Key of the advisory lock serialising migrations across instances (any fixed number). */
const MIGRATION_LOCK = 7_316_584_201;

// BIGINT columns (audit seq, expiry times) come back as numbers: they stay far below 2^53.
const INT8_OID = 20;
const types = {
  getTypeParser: (oid: number, format?: string): unknown =>
    oid === INT8_OID ? (v: string): number => Number(v) : pg.types.getTypeParser(oid, format === 'binary' ? 'binary' : 'text'),
} as pg.CustomTypesConfig;

function storeError(detail: string, reason: string, cause?: unknown): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', detail, { reason, cause });
}

/** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: PgPool, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function schemaVersion(client: PgClient | PgPool): Promise<number> {
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass('schema_version')::text AS t");
  if (exists.rows[0]?.t === null || exists.rows[0]?.t === undefined) return 0;
  const row = await client.query<{ version: number }>('SELECT version FROM schema_version');
  return row.rows[0]?.version ?? 0;
}

/** Applies the migrations the database has not seen, in one transaction; returns the resulting version. */
export async function applyPostgresMigrations(pool: PgPool, migrations: readonly string[]): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const current = await schemaVersion(client);
    if (current > migrations.length) {
      throw storeError('The database was written by a newer version of mimtrust.', 'store_schema_newer');
    }
    for (let v = current; v < migrations.length; v++) await client.query(migrations[v] as string);
    await client.query('DELETE FROM schema_version');
    await client.query('INSERT INTO schema_version (version) VALUES ($1)', [migrations.length]);
    return migrations.length;
  });
}

export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<PgPool> {
  const migrations = options.migrations ?? POSTGRES_MIGRATIONS;
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, types });
  // An idle connection the server drops must not take the process down; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    if (options.readonly === true) {
      if (await schemaVersion(pool) !== migrations.length) {
        throw storeError('The database schema is not current; start a gateway on it once.', 'store_schema_outdated');
      }
    } else {
      await applyPostgresMigrations(pool, migrations);
    }
    return pool;
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof MimtrustError) throw err;
    throw storeError('The database could not be opened.', 'store_open_failed', err);
  }
}
