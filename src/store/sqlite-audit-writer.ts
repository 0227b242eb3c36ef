/**
 * The audit writer thread (started by SqliteAuditWriterThread): owns the audit log's
 * writing connection (synchronous=NORMAL), runs each batch it is sent (the records' column
 * values, see recordBatch) through SqliteAuditStore and flushes the WAL with fdatasync
 * itself, so the insert transaction, the commit and the wait for the disk happen beside the
 * event loop that serves requests. Messages are handled in the order sent, and a batch is
 * committed before the next one is, so a batch chained onto one that failed meets the
 * segment-head check and commits nothing. Each batch is answered once it is durable (or
 * has failed), with the flush durations measured since the last answer. Imports only what
 * the write needs: each thread is an isolate of its own.
 */
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import type { WriterAnswers, WriterData, WriterJob } from './sqlite-audit-writer-thread.js';

const { path, segment, fsync } = workerData as WriterData;
const port = parentPort;
if (port === null) throw new Error('the audit writer runs as a worker thread');

const db = openSqlite(path, { synchronous: 'NORMAL' });
// Committed with synchronous=NORMAL: this thread flushes the WAL itself (see drain).
const store = new SqliteAuditStore(db, segment === '' ? {} : { segment });
const NO_RECORDS = { rows: [], subjects: [] };

/**
 * The WAL file, opened on the first flush (it exists once a transaction has committed).
 * SQLite keeps it, same inode, while a connection is open, so one descriptor serves.
 */
let wal: number | undefined;
let queue: WriterJob[] = [];
let draining = false;

/** Forgets the WAL's descriptor; the next flush opens it again. */
function closeWal(): void {
  const fd = wal;
  wal = undefined;
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // Nothing was written through it: a descriptor that cannot be closed loses nothing.
  }
}

/** What the thread says about an error: its name, message and code, nothing else crosses. */
function failure(err: unknown): NonNullable<WriterAnswers['answers'][number]['error']> {
  const e = err instanceof Error ? err : new Error('the write failed');
  const code: unknown = (e as Error & { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
}

/**
 * Commits the jobs received since the last drain, each batch in a transaction of its own
 * and in the order sent (a batch chained onto one that failed meets the segment-head
 * check), then flushes the WAL once for all of them with fdatasync, here, and answers them
 * in one message. The flush blocks this thread, not the event loop that serves requests:
 * the jobs sent meanwhile wait in the port and make the next group, so under load one
 * flush serves several batches, and no pool thread, promise or second wake-up is paid per
 * batch to learn that it is on disk.
 */
function drain(): void {
  draining = false;
  const jobs = queue;
  queue = [];
  const answers: WriterAnswers['answers'] = [];
  const committed: number[] = [];
  let closing = false;
  for (const job of jobs) {
    if (job.kind === 'close') {
      // Sent last: nothing follows it.
      closing = true;
      break;
    }
    try {
      if (job.kind === 'batch') store.commitRows(job.batch, job.checkpoints);
      else store.commitRows(NO_RECORDS, [job.checkpoint]);
      committed.push(job.id);
    } catch (err) {
      answers.push({ id: job.id, error: failure(err) });
    }
  }
  const syncs: number[] = [];
  if (fsync && committed.length > 0) {
    try {
      wal ??= openSync(`${path}-wal`, 'r');
      const t0 = performance.now();
      fdatasyncSync(wal);
      syncs.push((performance.now() - t0) / 1000);
    } catch (err) {
      // Committed but not known to be on disk: refused, as a failed flush refuses everything before it.
      for (const id of committed.splice(0)) answers.push({ id, error: failure(err) });
      closeWal();
    }
  }
  for (const id of committed) answers.push({ id });
  if (answers.length > 0 || syncs.length > 0) port?.postMessage({ answers, syncs } satisfies WriterAnswers);
  if (closing) {
    closeWal();
    db.close();
    port?.close();
  }
}

port.on('message', (job: WriterJob) => {
  queue.push(job);
  // After the messages already waiting in the port have been read: they are drained together.
  if (!draining) {
    draining = true;
    setImmediate(drain);
  }
});
