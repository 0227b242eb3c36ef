/**
 * The SQLite audit store run in a worker thread. better-sqlite3 is synchronous and a
 * durable commit waits for the disk; in the worker that wait happens off the event loop,
 * and appends that arrive meanwhile gather into the next batch (group commit). Errors
 * from the worker come back as the same typed errors the in-thread store raises.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MimtrustError } from '../errors/index.js';
import type { AuditCheckpoint, AuditRecord } from '../audit/types.js';
import { AuditRecordCorruptError, type AuditStore } from './audit-store.js';

interface Pending { resolve: (v: unknown) => void; reject: (e: unknown) => void }
interface Reply { id: number; result?: unknown; error?: { message: string; reason?: string; seq?: number; code?: string }; ready?: boolean }

/**
 * The compiled worker script. When mimtrust runs from its TypeScript sources (tests), the
 * worker, which Node starts without any TypeScript support, is taken from the build.
 */
function workerScript(): URL {
  const here = new URL('./sqlite-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL('../../dist/store/sqlite-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new MimtrustError('INTERNAL', 'The audit writer is not built; run `npm run build`.', { reason: 'audit_worker_missing' });
}

export class WorkerAuditStore implements AuditStore {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (msg: Reply) => {
      if (msg.ready) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(toError(msg.error));
      else p.resolve(msg.result);
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(unavailable(err));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`audit writer exited (${code})`)));
  }

  /** Start the worker on the database at `path`; resolves once it has opened and migrated it. */
  static open(path: string): Promise<WorkerAuditStore> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(workerScript(), { workerData: { path } });
      const onError = (err: Error) => reject(unavailable(err));
      worker.once('error', onError);
      worker.once('message', (msg: Reply) => {
        worker.off('error', onError);
        if (msg.ready) resolve(new WorkerAuditStore(worker));
        else reject(unavailable(new Error('audit writer did not start')));
      });
    });
  }

  private call<T>(method: keyof AuditStore, args: unknown[]): Promise<T> {
    if (this.failure) return Promise.reject(unavailable(this.failure));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  appendBatch(records: readonly AuditRecord[], checkpoints?: readonly AuditCheckpoint[]): Promise<void> {
    return this.call('appendBatch', checkpoints ? [records, checkpoints] : [records]);
  }
  readRange(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.call('readRange', [fromSeq, limit]);
  }
  lastRecord(): Promise<AuditRecord | undefined> {
    return this.call('lastRecord', []);
  }
  appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    return this.call('appendCheckpoint', [checkpoint]);
  }
  checkpoints(): Promise<AuditCheckpoint[]> {
    return this.call('checkpoints', []);
  }

  /** Close the database and stop the worker (after the calls already sent). */
  async close(): Promise<void> {
    if (this.failure) return;
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.postMessage('close');
    await exited;
  }
}

function unavailable(cause: Error): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', 'The audit log could not be written.', { reason: 'audit_write_failed', cause });
}

function toError(e: NonNullable<Reply['error']>): Error {
  if (e.reason === 'audit_record_corrupt' && typeof e.seq === 'number') return new AuditRecordCorruptError(e.seq, new Error(e.message));
  const err = new MimtrustError('SERVICE_UNAVAILABLE', 'The audit log could not be written.', { reason: e.reason ?? 'audit_write_failed', cause: new Error(e.message) });
  return err;
}
