/**
 * `mimtrust audit verify` run while a gateway keeps writing to the same log: the verify
 * must judge the log as it stood at one moment, not a tail growing under it. Read page by
 * page without a snapshot, the checkpoints read first and the records later, the records
 * committed meanwhile (past the last checkpoint it knew of) were reported as a broken
 * checkpoint cadence.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog, CheckpointCopies, loadOrCreateAuditKey, type AuditStore } from '../../src/audit/index.js';
import { openPostgres, openSqlite, PgAuditStore, SqliteAuditStore } from '../../src/store/index.js';
import { tempDir, event } from '../unit/audit-fixtures.js';
import { finished, startCli } from '../helpers/cli.js';
import { freshSchema, havePostgres, warnIfNoPostgres } from '../helpers/postgres.js';

warnIfNoPostgres('audit verify of a live PostgreSQL log');

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const intact = (stdout: string): number | undefined => {
  const m = /audit log intact: (\d+) records/.exec(stdout);
  return m ? Number(m[1]) : undefined;
};

/** Fills a log, then appends to it for as long as `audit verify` runs; both verifies must find it intact. */
async function verifyWhileWriting(dir: string, store: AuditStore, storeConfig: Record<string, unknown>): Promise<void> {
  const keysDir = join(dir, 'keys');
  const key = loadOrCreateAuditKey(keysDir);
  const config = join(dir, 'mimtrust.json');
  const anchorFile = join(dir, 'audit-anchors.jsonl');
  writeFileSync(config, JSON.stringify({ store: storeConfig, keysDir, audit: { checkpointEvery: 10, anchorFile } }));
  // Checkpoints are anchored as a gateway anchors them: after they are in the store.
  const copies = new CheckpointCopies({ anchorFile, witness: { url: null, timeoutMs: 1000, maxQueue: 10 }, onError: (err) => { throw err; } });
  cleanups.push(() => copies.close());
  const log = await AuditLog.open({ store, signingKey: key.privateKey, checkpointEvery: 10, onCheckpoint: copies.onCheckpoint });
  cleanups.push(() => log.close());

  let n = 0;
  for (let chunk = 0; chunk < 20; chunk++) {
    await Promise.all(Array.from({ length: 1000 }, () => log.append(event(++n))));
  }
  const before = n;

  const verify = finished(startCli(['audit', 'verify', '--config', config]));
  let over = false;
  void verify.finally(() => { over = true; });
  // The writer keeps appending, a few records at a time, until the verify has ended.
  while (!over) {
    await Promise.all(Array.from({ length: 7 }, () => log.append(event(++n))));
    await turn();
  }
  const during = n - before;
  const r = await verify;

  expect(r.stdout + r.stderr).not.toContain('BROKEN');
  expect(r.code).toBe(0);
  const seen = intact(r.stdout);
  expect(seen).toBeGreaterThanOrEqual(before);
  expect(seen).toBeLessThanOrEqual(n);
  // The test means something only if the log grew by many checkpoint intervals meanwhile.
  expect(during).toBeGreaterThan(100);

  await log.flush();
  const after = await finished(startCli(['audit', 'verify', '--config', config]));
  expect(after.code).toBe(0);
  expect(intact(after.stdout)).toBe(n);
}

describe('audit verify of a log being written', () => {
  it('verifies a SQLite log as it stood when the verify began, while records keep coming', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'mimtrust.db');
    const db = openSqlite(path);
    cleanups.push(() => { db.close(); });
    await verifyWhileWriting(dir, new SqliteAuditStore(db), { path });
  }, 60_000);

  it.skipIf(!havePostgres())('verifies a PostgreSQL instance\'s log as it stood when the verify began, while records keep coming', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const schema = await freshSchema();
    cleanups.push(() => schema.drop());
    const pool = await openPostgres(schema.url);
    cleanups.push(() => pool.end());
    await verifyWhileWriting(dir, new PgAuditStore(pool, 'live-writer'), { url: schema.url, path: join(dir, 'mimtrust.db') });
  }, 90_000);
});
