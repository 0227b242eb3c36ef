/**
 * Fills an audit log with valid chained records, fast: the records a gateway writes for
 * reads by id (permitted, some denied, a few with consent releases), chained and hashed
 * with mimtrust's own chain functions, signed checkpoints at the configured cadence, and
 * written through the SQLite audit store in large transactions, with the checkpoints also
 * copied to the anchor file. `mimtrust audit verify` must find the result intact.
 *
 *   npm run build && node bench/audit-fill.mjs <store.db> <keys folder> [anchor file]
 *   BENCH_AUDIT_RECORDS (10,000,000)  BENCH_AUDIT_BATCH (5,000 records per transaction)
 *   BENCH_AUDIT_CHECKPOINT_EVERY (1000, audit.checkpointEvery)
 *
 * It appends to whatever log the store holds (continuing its chain), and refuses to start
 * when the disk cannot hold the estimate (about 750 bytes a record, checked with df).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { integer } from './lib/settings.mjs';

/** Bytes a record takes on disk: about 590 measured on a 10M-record fill (row and page overhead), with room for the WAL. */
export const BYTES_PER_RECORD = 750;

/** Free bytes on the file system holding `path` (df, POSIX output). */
export function freeBytes(path) {
  const out = execFileSync('df', ['-Pk', path], { encoding: 'utf8' }).trim().split('\n');
  const fields = out[out.length - 1].split(/\s+/);
  return Number(fields[3]) * 1024;
}

/** Throws when the file system of `dir` has less than the estimate for `records` plus a margin of 2 GB. */
export function checkDiskSpace(dir, records) {
  const need = records * BYTES_PER_RECORD + 2 * 1024 ** 3;
  const free = freeBytes(dir);
  if (free < need) {
    throw new Error(`not enough disk space in ${dir}: ${(free / 1024 ** 3).toFixed(1)} GB free, about ${(need / 1024 ** 3).toFixed(1)} GB needed for ${records} records; set BENCH_AUDIT_RECORDS lower`);
  }
  return { need, free };
}

const IDS = Array.from({ length: 500 }, (_, i) => `urn:ngsi-ld:ParkingSpot:santander:zone-${i % 40}:${i}`);
const SUBS = Array.from({ length: 200 }, (_, i) => `client-${i}`);

/** The event of request number i, as the gateway reports a read by id. */
function event(i, at) {
  const id = IDS[i % IDS.length];
  const denied = i % 17 === 0;
  const e = {
    time: new Date(at).toISOString(),
    decisionId: randomUUID(),
    requestId: `req-${i.toString(36)}`,
    issuer: 'urn:mimtrust:local-issuer',
    sub: SUBS[i % SUBS.length],
    binding: 'bearer',
    operation: 'entity.retrieve',
    action: 'read',
    targets: { entityIds: [id], types: [], attrs: [] },
    effect: denied ? 'deny' : 'permit',
    reason: denied ? 'no_matching_permission' : 'permitted',
    rules: denied ? [] : [`urn:mimtrust:bench:growth:${i % 4}#read`],
    decided: { types: [], attrs: [] },
    contractRevision: 1,
    latencyMs: 1 + (i % 50) / 10,
    method: 'GET',
    path: `/ngsi-ld/v1/entities/${id}`,
  };
  if (!denied) e.upstreamStatus = 200;
  if (i % 101 === 0) {
    e.released = { purpose: 'https://w3id.org/dpv#ServiceProvision', consents: [`urn:uuid:${randomUUID()}`], subjects: [{ id: `urn:ngsi-ld:Person:resident-${i % 300}`, types: ['https://uri.etsi.org/ngsi-ld/default-context/ParkingSpot'], attrs: [] }] };
  }
  return e;
}

/**
 * Appends `records` records to the log in `storePath`, signed with the audit key of
 * `keysDir` (created when missing, as the gateway would). Reports progress through
 * `onProgress(written, elapsedMs)`.
 * @returns {Promise<{ records: number, checkpoints: number, ms: number, lastSeq: number }>}
 */
export async function fillAuditLog({ storePath, keysDir, anchorFile, records, batch = 5_000, checkpointEvery = 1000, onProgress = () => undefined }) {
  const { openSqlite, SqliteAuditStore } = await import('../dist/store/index.js');
  const { GENESIS_HASH, recordHash, signCheckpoint, loadOrCreateAuditKey, toAuditSigningKey } = await import('../dist/audit/index.js');
  const { normalizeAuditEvent } = await import('../dist/audit/event.js');
  const key = toAuditSigningKey(loadOrCreateAuditKey(keysDir).privateKey);
  // WAL without a flush per transaction: a fill that dies is simply run again.
  const db = openSqlite(storePath, { synchronous: 'NORMAL' });
  const store = new SqliteAuditStore(db);
  if (anchorFile) mkdirSync(dirname(anchorFile), { recursive: true });
  const t0 = performance.now();
  let checkpoints = 0;
  try {
    const last = await store.lastRecord();
    let seq = last?.seq ?? 0;
    let hash = last?.hash ?? GENESIS_HASH;
    // Times advance 5 ms a record, ending about now.
    let at = Date.now() - records * 5;
    for (let written = 0; written < records;) {
      const n = Math.min(batch, records - written);
      const out = new Array(n);
      const signed = [];
      for (let k = 0; k < n; k++) {
        const e = normalizeAuditEvent(event(seq, (at += 5)), 32);
        const prevHash = hash;
        seq += 1;
        hash = recordHash(prevHash, seq, e);
        out[k] = { ...e, seq, prevHash, hash };
        if (seq % checkpointEvery === 0) signed.push(signCheckpoint(key, seq, hash, new Date(at).toISOString()));
      }
      if (written + n === records && seq % checkpointEvery !== 0) signed.push(signCheckpoint(key, seq, hash, new Date(at).toISOString()));
      await store.appendBatch(out, signed);
      // The anchor file's line format (audit/anchor-file.ts), written once per batch rather than fsynced per checkpoint.
      if (anchorFile && signed.length) appendFileSync(anchorFile, signed.map((cp) => JSON.stringify({ seq: cp.seq, hash: cp.hash, time: cp.time, kid: cp.kid, signature: cp.signature }) + '\n').join(''));
      checkpoints += signed.length;
      written += n;
      onProgress(written, performance.now() - t0);
    }
    return { records, checkpoints, ms: performance.now() - t0, lastSeq: seq };
  } finally {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [storePath, keysDir, anchorFile] = process.argv.slice(2);
  if (!storePath || !keysDir) {
    console.error('usage: node bench/audit-fill.mjs <store.db> <keys folder> [anchor file]');
    process.exit(2);
  }
  try {
    const records = integer(process.env, 'BENCH_AUDIT_RECORDS', 10_000_000, 1);
    const batch = integer(process.env, 'BENCH_AUDIT_BATCH', 5_000, 1);
    const checkpointEvery = integer(process.env, 'BENCH_AUDIT_CHECKPOINT_EVERY', 1000, 1);
    mkdirSync(dirname(resolve(storePath)), { recursive: true });
    checkDiskSpace(dirname(resolve(storePath)), records);
    let shown = 0;
    const result = await fillAuditLog({
      storePath, keysDir, anchorFile, records, batch, checkpointEvery,
      onProgress: (written, ms) => {
        if (written - shown >= 1_000_000 || written === records) {
          shown = written;
          console.log(`${written} records in ${(ms / 1000).toFixed(1)} s (${Math.round(written / (ms / 1000))} records/s)`);
        }
      },
    });
    console.log(`done: ${result.records} records, ${result.checkpoints} checkpoints, last seq ${result.lastSeq}, ${(result.ms / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(err?.message ?? err);
    process.exit(1);
  }
}
