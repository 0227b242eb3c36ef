import { loadConfig } from '../config/index.js';
import { verifyAudit, readAnchorFile, workerAnchorFile, AUDIT_PUBLIC_KEY_FILE } from '../audit/index.js';
import { workerOfSegment } from '../app/worker-segment.js';
import { openPostgres, PgAuditStore, readInstanceId, SqliteAuditStore } from '../store/index.js';
import type { AuditStore } from '../audit/index.js';
import type { Config } from '../config/index.js';
import type { PgPool, SqliteDatabase } from '../store/index.js';
import { openStoreReadOnly } from './store-file.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JsonWebKey } from 'node:crypto';
import { noPositionals, parseOptions } from './options.js';

/**
 * Exit 0 when the chain, every checkpoint, the checkpoint cadence and the checkpoints
 * anchored outside the database (audit.anchorFile) hold; 1 naming what is wrong otherwise.
 * Only the public key is read (never created), so an auditor can verify with a copy of
 * the store and `audit-signing.pub.jwk.json`. Every segment is verified, each a chain of
 * its own: on SQLite the default one and one per worker (`workers`), on PostgreSQL one per
 * instance and worker. The anchor file is checked against the segment that wrote it: the
 * configured file for a single gateway's segment, `<file>.wN` for the segment of worker N
 * of the instance whose configuration is given; other instances keep theirs elsewhere.
 *
 * A running gateway may write while its log is verified: each segment is read from one
 * snapshot of the store (a read transaction), so records committed meanwhile are not seen
 * and a tail caught before its checkpoint is not taken for a broken cadence. The anchor
 * file is read before the snapshot begins: a checkpoint is anchored only once it is in
 * the store, so every anchor read is in the snapshot.
 */
export async function runAuditVerify(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, { config: { type: 'string', short: 'c' } });
  noPositionals(positionals);
  const { config } = loadConfig(values.config);
  if (config.store.url !== null) return verifySegments(config, config.store.url);
  const db = openStoreReadOnly(config.store.path);
  if (db === undefined) return 1;
  try {
    return await verifySqliteSegments(config, db);
  } finally {
    db.close();
  }
}

/** The anchor file written by the writer of `segment`, or null when none is kept here. */
export function anchorFileOf(anchorFile: string | null, segment: string, own: string | undefined): string | null {
  if (anchorFile === null) return null;
  if (segment === '' || segment === own) return anchorFile;
  const slot = own === undefined ? undefined : workerOfSegment(own, segment);
  return slot === undefined ? null : workerAnchorFile(anchorFile, slot);
}

async function verifySqliteSegments(config: Config, db: SqliteDatabase): Promise<number> {
  const segments = SqliteAuditStore.segments(db);
  // A log only ever written by a single gateway reads as it always did.
  const snapshot = sqliteSnapshot(db);
  if (segments.every((s) => s === '')) return verifyStore(config, new SqliteAuditStore(db), '', config.audit.anchorFile, snapshot);
  const own = readInstanceId(config.store.instance, dirname(config.store.path));
  let status = 0;
  for (const segment of segments) {
    const label = segment === '' ? 'segment (single process): ' : `segment ${segment}: `;
    const code = await verifyStore(config, new SqliteAuditStore(db, { segment }), label, anchorFileOf(config.audit.anchorFile, segment, own), snapshot);
    if (code !== 0) status = code;
  }
  return status;
}

async function verifySegments(config: Config, url: string): Promise<number> {
  const pool = await openPostgres(url, { readonly: true, maxConnections: 2 });
  try {
    const instances = await PgAuditStore.instances(pool);
    if (instances.length === 0) {
      process.stdout.write('audit log intact: no instance has written to it\n');
      return 0;
    }
    const own = readInstanceId(config.store.instance, dirname(config.store.path));
    let status = 0;
    for (const instance of instances) {
      const code = await verifyPgInstance(config, pool, instance, anchorFileOf(config.audit.anchorFile, instance, own));
      if (code !== 0) status = code;
    }
    return status;
  } finally {
    await pool.end();
  }
}

/** Runs `read` inside one read transaction of the store, so everything it reads is one snapshot. */
type Snapshot = <T>(read: () => Promise<T>) => Promise<T>;

function sqliteSnapshot(db: SqliteDatabase): Snapshot {
  // A deferred transaction: WAL fixes the snapshot at its first read, after the anchors are read.
  return async (read) => {
    db.exec('BEGIN');
    try {
      return await read();
    } finally {
      db.exec('COMMIT');
    }
  };
}

/** One instance's chain, read on one connection in one REPEATABLE READ transaction (its snapshot is taken at the first read). */
async function verifyPgInstance(config: Config, pool: PgPool, instance: string, anchorFile: string | null): Promise<number> {
  const client = await pool.connect();
  try {
    const snapshot: Snapshot = async (read) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await read();
      } finally {
        await client.query('ROLLBACK');
      }
    };
    return await verifyStore(config, new PgAuditStore(client, instance), `instance ${instance}: `, anchorFile, snapshot);
  } finally {
    client.release();
  }
}

/** Verifies one chain; `label` starts each line said about it. */
async function verifyStore(config: Config, store: AuditStore, label: string, anchorFile: string | null, snapshot: Snapshot): Promise<number> {
  const keyFile = join(config.keysDir, AUDIT_PUBLIC_KEY_FILE);
  if (!existsSync(keyFile)) {
    process.stderr.write(`mimtrust: no audit public key at ${keyFile}\n`);
    return 1;
  }
  let publicKey: JsonWebKey;
  try {
    publicKey = JSON.parse(readFileSync(keyFile, 'utf8')) as JsonWebKey;
  } catch {
    process.stderr.write(`mimtrust: ${keyFile} is not a JSON Web Key\n`);
    return 1;
  }
  const anchors = anchorFile === null ? undefined : readAnchorFile(anchorFile);
  const result = await snapshot(() => verifyAudit(store, publicKey, {
    checkpointEvery: config.audit.checkpointEvery,
    ...(anchors ? { anchors } : {}),
  }));
  if (result.ok) {
    process.stdout.write(`${label}audit log intact: ${result.records} records, ${result.checkpoints} signed checkpoints\n`);
    return 0;
  }
  process.stdout.write(`${label}audit log BROKEN at record ${result.firstBad.seq}: ${result.firstBad.problem}: ${result.firstBad.detail} (${result.records} records verified before it)\n`);
  return 1;
}
