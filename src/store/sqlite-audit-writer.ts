/**
 * The audit writer thread (started by SqliteAuditWriterThread): owns the audit log's
 * writing connection (synchronous=NORMAL) and its WalSync, and runs each batch it is sent
 * (the records' column values, see recordBatch) through SqliteAuditStore, so the insert
 * transaction, the commit and the wait for fdatasync happen beside the event loop that
 * serves requests. Messages are handled in the order sent, and a batch is committed before
 * the next message is read, so a batch chained onto one that failed meets the segment-head
 * check and commits nothing. Each batch is answered once it is durable (or has failed),
 * with the flush durations measured since the last answer. Imports only what the write
 * needs: each thread is an isolate of its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import { WalSync } from './wal-sync.js';
import type { WriterAnswers, WriterData, WriterJob } from './sqlite-audit-writer-thread.js';

const { path, segment, fsync } = workerData as WriterData;
const port = parentPort;
if (port === null) throw new Error('the audit writer runs as a worker thread');

const db = openSqlite(path, { synchronous: 'NORMAL' });
let syncs: number[] = [];
const walSync = fsync ? new WalSync(path, (seconds) => syncs.push(seconds)) : undefined;
const store = new SqliteAuditStore(db, { ...(walSync ? { walSync } : {}), ...(segment === '' ? {} : { segment }) });
const inFlight = new Set<Promise<void>>();

let answers: WriterAnswers['answers'] = [];

/**
 * Batches made durable by one flush settle together: their answers go back in one
 * message, posted once the settling is done, so the event loop reads one message, not one per batch.
 */
function answer(id: number, err?: unknown): void {
  if (answers.length === 0) queueMicrotask(postAnswers);
  if (err === undefined) {
    answers.push({ id });
    return;
  }
  const e = err instanceof Error ? err : new Error('the write failed');
  const code: unknown = (e as Error & { code?: unknown }).code;
  answers.push({ id, error: { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) } });
}

function postAnswers(): void {
  const message: WriterAnswers = { answers, syncs };
  answers = [];
  syncs = [];
  port?.postMessage(message);
}

function run(job: Exclude<WriterJob, { kind: 'close' }>): Promise<void> {
  return job.kind === 'batch' ? store.commitRows(job.batch, job.checkpoints).durable : store.appendCheckpoint(job.checkpoint);
}

async function close(): Promise<void> {
  await Promise.allSettled([...inFlight]);
  await walSync?.close();
  db.close();
  port?.close();
}

port.on('message', (job: WriterJob) => {
  if (job.kind === 'close') {
    void close();
    return;
  }
  let done: Promise<void>;
  try {
    done = run(job).then(() => answer(job.id), (err: unknown) => answer(job.id, err));
  } catch (err) {
    answer(job.id, err);
    return;
  }
  inFlight.add(done);
  void done.finally(() => inFlight.delete(done));
});
