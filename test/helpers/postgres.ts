/**
 * The PostgreSQL service for tests: its address comes from MIMTRUST_TEST_POSTGRES_URL
 * (.ci/run sets it). Each test gets a schema of its own, dropped afterwards, so tests
 * never see each other's rows or change events. Without the variable the PostgreSQL
 * tests are skipped, saying so.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_POSTGRES_URL = process.env.MIMTRUST_TEST_POSTGRES_URL;

/** Says, once per file, that PostgreSQL tests were skipped. */
export function warnIfNoPostgres(what: string): void {
  if (TEST_POSTGRES_URL === undefined || TEST_POSTGRES_URL === '') {
    console.warn(`${what} skipped: MIMTRUST_TEST_POSTGRES_URL is not set (e.g. postgres://root@127.0.0.1:5432/test)`);
  }
}

export const havePostgres = (): boolean => TEST_POSTGRES_URL !== undefined && TEST_POSTGRES_URL !== '';

export interface TestSchema {
  name: string;
  /** The service's URL with this schema as the search path. */
  url: string;
  /** Runs SQL in the schema as an attacker with the database's own rights: triggers off. */
  tamper(sql: string, params?: unknown[]): Promise<void>;
  /** Plain SQL in the schema. */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function freshSchema(): Promise<TestSchema> {
  const base = TEST_POSTGRES_URL as string;
  const name = `mt_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(base, (c) => c.query(`CREATE SCHEMA "${name}"`));
  const u = new URL(base);
  u.searchParams.set('options', `-c search_path=${name}`);
  const url = u.toString();
  return {
    name,
    url,
    tamper: (sql, params = []) => withClient(url, async (c) => {
      await c.query("SET session_replication_role = 'replica'");
      await c.query(sql, params);
    }),
    query: (sql, params = []) => withClient(url, async (c) => (await c.query(sql, params)).rows),
    drop: () => withClient(base, async (c) => { await c.query(`DROP SCHEMA "${name}" CASCADE`); }),
  };
}
