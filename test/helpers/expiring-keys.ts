/**
 * The store's expiring keys on a real SQLite file or a PostgreSQL schema of their own, with
 * a clock the test moves; `again()` opens a second connection to the same data, as another
 * process would.
 */
import { join } from 'node:path';
import { openPostgres, openSqlite, pgKeyTable, sqliteKeyTable, StoredExpiringKeys, type PgPool, type SqliteDatabase } from '../../src/store/index.js';
import { freshSchema, type TestSchema } from './postgres.js';
import { makeTempDir } from './temp-dir.js';

export interface OpenedKeys {
  keys: StoredExpiringKeys;
  /** Another connection to the same store, with the same clock. */
  again: () => Promise<StoredExpiringKeys>;
  /** Rows in the table, live or not. */
  rows: () => Promise<number>;
  /** Makes the store unreachable. */
  cut: () => Promise<void>;
  close: () => Promise<void>;
}

export interface KeyBackend {
  name: string;
  open(now: () => number): Promise<OpenedKeys>;
}

export const sqliteKeys: KeyBackend = {
  name: 'SQLite',
  async open(now) {
    const path = join(makeTempDir('keys'), 'm.db');
    const dbs: SqliteDatabase[] = [openSqlite(path, { synchronous: 'NORMAL' })];
    const made: StoredExpiringKeys[] = [];
    const make = (db: SqliteDatabase) => { const k = new StoredExpiringKeys(sqliteKeyTable(db), { now }); made.push(k); return k; };
    return {
      keys: make(dbs[0]!),
      again: async () => { const db = openSqlite(path, { synchronous: 'NORMAL' }); dbs.push(db); return make(db); },
      rows: async () => dbs[0]!.prepare('SELECT count(*) FROM expiring_keys').pluck().get() as number,
      cut: async () => { for (const db of dbs) if (db.open) db.close(); },
      close: async () => { for (const k of made) k.close(); for (const db of dbs) if (db.open) db.close(); },
    };
  },
};

export const postgresKeys: KeyBackend = {
  name: 'PostgreSQL',
  async open(now) {
    const schema: TestSchema = await freshSchema();
    const pools: PgPool[] = [await openPostgres(schema.url)];
    const made: StoredExpiringKeys[] = [];
    const make = (pool: PgPool) => { const k = new StoredExpiringKeys(pgKeyTable(pool), { now }); made.push(k); return k; };
    let ended = false;
    const end = async () => { if (!ended) { ended = true; for (const p of pools) await p.end(); } };
    return {
      keys: make(pools[0]!),
      again: async () => { const p = await openPostgres(schema.url); pools.push(p); return make(p); },
      rows: async () => Number((await schema.query<{ n: string }>('SELECT count(*) AS n FROM expiring_keys'))[0]!.n),
      cut: end,
      close: async () => { for (const k of made) k.close(); await end(); await schema.drop(); },
    };
  },
};
