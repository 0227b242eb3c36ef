/**
 * The SQLite audit store with its writes in a worker thread (sqlite-audit-writer.ts): the
 * insert transaction, the commit and the WAL's fdatasync no longer take the event loop's
 * time. Reads stay on a connection of the caller's (WAL lets them read while the thread
 * writes). One message per batch, the records as the insert binds them (recordBatch:
 * arrays of column values, lists and objects already JSON text): building and copying
 * those costs the posting thread about what copying the records' objects did, and the
 * thread less than half of reading the objects back, with no row left to build before the
 * insert (bench/audit-transfer.mjs, bench/audit-handoff.mjs). The objects were dear to
 * read back: the lists event normalisation builds with `new Array(n)` are copied as sparse
 * arrays, key by key.
 *
 * Batches are handed over without waiting for the ones before (AuditLog chains the next
 * while the previous is on its way to the disk); the thread applies them in order and the
 * segment-head check refuses any batch chained onto one that did not commit. If the
 * thread stops (an error, a crash, terminate()), everything it was sent and not answered
 * is refused, and the next write starts a new thread: AuditLog re-reads the head from the
 * store before that write, once everything sent has settled.
 */
import { Worker } from 'node:worker_threads';
import type { AuditCheckpoint, AuditRecord, SubjectIndexRow } from '../audit/types.js';
import type { AuditStore } from '../audit/store.js';
import { workerScript } from '../lib/index.js';
import type { SqliteDatabase } from './sqlite.js';
import { recordBatch, SqliteAuditStore, type RecordBatch } from './sqlite-audit-store.js';

/** What the thread is started with. */
export interface WriterData {
  path: string;
  /** '' for the default segment. */
  segment: string;
  fsync: boolean;
}

/** A message to the thread: a batch, a checkpoint, or the order to finish and stop. */
export type WriterJob =
  | { kind: 'batch'; id: number; batch: RecordBatch; checkpoints: readonly AuditCheckpoint[] }
  | { kind: 'checkpoint'; id: number; checkpoint: AuditCheckpoint }
  | { kind: 'close' };

/** The thread's answers to jobs now durable or failed, with the WAL flush durations since the last message. */
export interface WriterAnswers {
  answers: Array<{ id: number; error?: { name: string; message: string; code?: string } }>;
  syncs: number[];
}

/** Thrown for a write the thread refused, or never answered because it stopped. */
export class AuditWriterError extends Error {
  readonly code: string | undefined;
  constructor(message: string, name = 'AuditWriterError', code?: string) {
    super(message);
    this.name = name;
    this.code = code;
  }
}

export interface SqliteAuditWriterThreadOptions {
  /** The database file the thread opens. */
  path: string;
  /** The chain segment written and read: '' (the default) is the segment of a single gateway. */
  segment?: string;
  /** Wait for the WAL's fdatasync before a write resolves (audit.fsync). */
  fsync: boolean;
  /** Told how long each fdatasync took (metrics); must not throw. */
  onSync?: (seconds: number) => void;
  /** Told when the thread stops unasked (to log it); must not throw. */
  onStopped?: (err: unknown) => void;
}

interface Waiting {
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Thread {
  worker: Worker;
  /** Sent and not yet answered, by id. */
  waiting: Map<number, Waiting>;
  /** Set once the thread has stopped or is stopping: nothing more is sent to it. */
  down: boolean;
  exited: Promise<void>;
}

export class SqliteAuditWriterThread implements AuditStore {
  readonly segment: string;
  private readonly reader: SqliteAuditStore;
  private thread: Thread | undefined;
  private nextId = 1;
  private closed = false;

  /** `readDb` serves the reads; the thread opens a writing connection of its own to `options.path`. */
  constructor(readDb: SqliteDatabase, private readonly options: SqliteAuditWriterThreadOptions) {
    this.segment = options.segment ?? '';
    this.reader = new SqliteAuditStore(readDb, { segment: this.segment });
    // Started now, so the first request does not wait for an isolate to load.
    this.thread = this.start();
  }

  async appendBatch(records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[] = []): Promise<void> {
    await this.commitBatch(records, checkpoints).durable;
  }

  /** Hands the batch to the thread; `durable` settles once it is committed and (with fsync) on disk, or has failed. */
  commitBatch(records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[] = []): { durable: Promise<void> } {
    return { durable: this.send((id) => ({ kind: 'batch', id, batch: recordBatch(records), checkpoints })) };
  }

  appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    return this.send((id) => ({ kind: 'checkpoint', id, checkpoint }));
  }

  readRange(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.reader.readRange(fromSeq, limit);
  }

  lastRecord(): Promise<AuditRecord | undefined> {
    return this.reader.lastRecord();
  }

  checkpoints(): Promise<AuditCheckpoint[]> {
    return this.reader.checkpoints();
  }

  readSubjectIndex(after: SubjectIndexRow | undefined, limit: number): Promise<SubjectIndexRow[]> {
    return this.reader.readSubjectIndex(after, limit);
  }

  /** The running thread, for tests that stop it. */
  get worker(): Worker | undefined {
    return this.thread?.down === false ? this.thread.worker : undefined;
  }

  /** Lets every write sent finish, then ends the thread. Writes after this are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    if (thread === undefined) return;
    if (!thread.down) {
      thread.down = true;
      // The thread reads its messages in order: this one comes after every write sent.
      thread.worker.ref();
      thread.worker.postMessage({ kind: 'close' } satisfies WriterJob);
    }
    await thread.exited;
  }

  private send(job: (id: number) => WriterJob): Promise<void> {
    if (this.closed) return Promise.reject(new AuditWriterError('the audit writer is closed'));
    if (this.thread === undefined || this.thread.down) this.thread = this.start();
    const thread = this.thread;
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      // Built and posted before the write is waited for: if either throws, the promise is
      // refused and no answer is owed (a later batch meets the segment-head check).
      thread.worker.postMessage(job(id));
      // Referenced while it owes an answer: a process must not end with a write half done.
      if (thread.waiting.size === 0) thread.worker.ref();
      thread.waiting.set(id, { resolve, reject });
    });
  }

  private start(): Thread {
    const script = workerScript('sqlite-audit-writer', import.meta.url);
    const data: WriterData = { path: this.options.path, segment: this.segment, fsync: this.options.fsync };
    const worker = new Worker(script.url, { workerData: data, ...(script.execArgv ? { execArgv: script.execArgv } : {}) });
    let exited!: () => void;
    const thread: Thread = { worker, waiting: new Map(), down: false, exited: new Promise<void>((resolve) => { exited = resolve; }) };
    const stop = (cause: unknown): void => {
      const unasked = !thread.down;
      thread.down = true;
      const waiting = [...thread.waiting.values()];
      thread.waiting.clear();
      const err = new AuditWriterError('the audit writer thread stopped before the write was durable');
      err.cause = cause;
      for (const w of waiting) w.reject(err);
      if (unasked || waiting.length > 0) this.options.onStopped?.(cause);
    };
    worker.on('message', (message: WriterAnswers) => {
      for (const s of message.syncs) this.options.onSync?.(s);
      for (const answer of message.answers) {
        const w = thread.waiting.get(answer.id);
        if (w === undefined) continue;
        thread.waiting.delete(answer.id);
        if (answer.error === undefined) w.resolve();
        else w.reject(new AuditWriterError(answer.error.message, answer.error.name, answer.error.code));
      }
      if (thread.waiting.size === 0 && !thread.down) worker.unref();
    });
    worker.on('error', (err) => stop(err));
    worker.on('exit', (code) => {
      stop(new AuditWriterError(`the audit writer thread exited with code ${code}`));
      exited();
    });
    // An idle thread does not keep the process alive; close() is the orderly end.
    worker.unref();
    return thread;
  }
}
