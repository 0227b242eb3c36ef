/**
 * The append-only audit log with group commit. append() only checks the event and queues
 * it; a flush takes the queue, chains and hashes the records, signs any checkpoints that
 * fall due, and hands everything to the store as one transaction. Flushes run one at a
 * time. A store with commitBatch takes the next batch before the previous one is durable
 * (or, in a writer thread, committed): a batch may then be chained onto records that
 * still fail, and the store's segment-head check keeps it from committing; its callers
 * and those of every later batch are refused, and the head is re-read from the store
 * once nothing handed over is unsettled.
 */
import { MimtrustError, asMimtrustError } from '../errors/index.js';
import type { AuditStore } from './store.js';
import { GENESIS_HASH, normalizedRecordHash } from './chain.js';
import { signCheckpoint } from './checkpoint.js';
import { DEFAULT_MAX_TARGETS, normalizeAuditEvent } from './event.js';
import { toAuditSigningKey, type AuditKeyInput, type AuditSigningKey } from './signing-key.js';
import type { AuditCheckpoint, AuditEvent, AuditRecord } from './types.js';

export interface AuditLogOptions {
  store: AuditStore;
  /** Ed25519 private key that signs checkpoints. */
  signingKey: AuditKeyInput;
  /** Sign a checkpoint every this many records. Default 1000. */
  checkpointEvery?: number;
  /**
   * Also sign a checkpoint with the first batch written once this long has passed since
   * the last one, so that a quiet log does not keep an unsigned tail for long. Default 60 s.
   */
  checkpointIntervalMs?: number;
  /** Flush as soon as this many appends are queued. Default 256. */
  maxBatch?: number;
  /** Clock for checkpoint times. */
  now?: () => Date;
  /** Entries kept per target list of a record (the rest is summed up in a digest). Default 32. */
  maxTargets?: number;
  /**
   * Called with each checkpoint once it is durable in the store, in seq order (to copy it
   * outside the database). Must not throw; it is never awaited.
   */
  onCheckpoint?: (checkpoint: AuditCheckpoint) => void;
}

interface Pending {
  event: AuditEvent;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A batch handed to a store with commitBatch, not yet durable. */
interface InFlight {
  batch: Pending[];
  /** Its place in the order batches were handed over. */
  order: number;
  /** Set once its callers have been refused. */
  failed: boolean;
}

interface ChainHead {
  seq: number;
  hash: string;
}

/** The longest an append made `withNext` waits for a batch to join before it is written alone. */
export const WITH_NEXT_WITHIN_MS = 20;

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new MimtrustError('INTERNAL', `The audit log option ${name} must be a positive integer.`, { reason: 'audit_config_invalid' });
  }
  return value;
}

function writeFailed(cause: unknown): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', 'The audit log could not be written.', { reason: 'audit_write_failed', cause });
}

export class AuditLog {
  private readonly store: AuditStore;
  private readonly key: AuditSigningKey;
  private readonly checkpointEvery: number;
  private readonly maxBatch: number;
  private readonly maxTargets: number;
  private readonly now: () => Date;
  private readonly onCheckpoint: (checkpoint: AuditCheckpoint) => void;

  private queue: Pending[] = [];
  /** Appends not yet durable (queued, being written or waiting for the disk). */
  private waiting = 0;
  /** Undefined after a failed write: reloaded from the store before the next one. */
  private head: ChainHead | undefined;
  private lastCheckpointSeq: number;
  private readonly checkpointIntervalMs: number;
  private lastCheckpointAt: number;
  private tickScheduled = false;
  /** Set while appends that wait for the next batch have a flush of their own scheduled. */
  private lateTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  /** Flushes to disk still running for committed batches (close() waits for them). */
  private readonly pendingDurable = new Set<Promise<void>>();
  /** Batches handed to commitBatch and not yet settled, in the order handed over. */
  private readonly inFlight: InFlight[] = [];
  private handed = 0;

  private constructor(options: AuditLogOptions, head: ChainHead, lastCheckpointSeq: number) {
    this.store = options.store;
    this.key = toAuditSigningKey(options.signingKey);
    this.checkpointEvery = positiveInteger(options.checkpointEvery, 1000, 'checkpointEvery');
    this.maxBatch = positiveInteger(options.maxBatch, 256, 'maxBatch');
    this.maxTargets = positiveInteger(options.maxTargets, DEFAULT_MAX_TARGETS, 'maxTargets');
    this.onCheckpoint = options.onCheckpoint ?? (() => undefined);
    this.now = options.now ?? (() => new Date());
    this.head = head;
    this.lastCheckpointSeq = lastCheckpointSeq;
    this.checkpointIntervalMs = positiveInteger(options.checkpointIntervalMs, 60_000, 'checkpointIntervalMs');
    this.lastCheckpointAt = this.now().getTime();
  }

  /** Opens the log on a store, continuing its chain. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const [head, checkpoints] = await Promise.all([AuditLog.loadHead(options.store), options.store.checkpoints()]);
    const lastCheckpointSeq = checkpoints.length === 0 ? 0 : (checkpoints[checkpoints.length - 1] as AuditCheckpoint).seq;
    return new AuditLog(options, head, lastCheckpointSeq);
  }

  private static async loadHead(store: AuditStore): Promise<ChainHead> {
    const last = await store.lastRecord();
    return last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: last.seq, hash: last.hash };
  }

  /** Seq of the last committed record (0 when empty or while the head is being reloaded). */
  get lastSeq(): number {
    return this.head?.seq ?? 0;
  }

  /** Appends whose callers still wait for their record to be durable. */
  get pending(): number {
    return this.waiting;
  }

  /**
   * Queues an event; resolves once its record is committed to disk, rejects (with a 503
   * MimtrustError) when the event is malformed, the log is closed or the write failed.
   * `withNext`: no caller waits for it, so it starts no batch of its own: it joins the next
   * one, or is written within WITH_NEXT_WITHIN_MS if none comes (each batch costs a hand-over
   * and a flush, whatever its size).
   */
  append(event: AuditEvent, options?: { withNext?: boolean }): Promise<void> {
    if (this.closed) {
      return Promise.reject(new MimtrustError('SERVICE_UNAVAILABLE', 'The audit log is closed.', { reason: 'audit_closed' }));
    }
    let normalized: AuditEvent;
    try {
      normalized = normalizeAuditEvent(event, this.maxTargets);
    } catch (err) {
      return Promise.reject(asMimtrustError(err));
    }
    this.waiting++;
    const durable = new Promise<void>((resolve, reject) => {
      this.queue.push({ event: normalized, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.kick();
      else if (options?.withNext === true) {
        if (this.lateTimer === undefined) {
          this.lateTimer = setTimeout(this.onLate, WITH_NEXT_WITHIN_MS);
          // close() flushes whatever is queued: the timer need not keep the process up.
          this.lateTimer.unref();
        }
      } else if (!this.tickScheduled) {
        // Everything appended during this event-loop turn joins one transaction.
        this.tickScheduled = true;
        setImmediate(this.onTick);
      }
    });
    return durable.finally(() => {
      this.waiting--;
    });
  }

  /** Resolves once everything appended so far has been written (or has failed). */
  async flush(): Promise<void> {
    this.kick();
    while (this.running !== undefined) await this.running;
    await Promise.allSettled([...this.pendingDurable]);
  }

  /** Flushes, signs a final checkpoint at the head, and refuses further appends. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    const head = this.head ?? (await this.reloadHead());
    if (head.seq > this.lastCheckpointSeq) {
      const checkpoint = signCheckpoint(this.key, head.seq, head.hash, this.now().toISOString());
      await this.store.appendCheckpoint(checkpoint);
      this.lastCheckpointSeq = head.seq;
      this.announce([checkpoint]);
    }
  }

  private readonly onTick = (): void => {
    this.tickScheduled = false;
    this.kick();
  };

  private readonly onLate = (): void => {
    this.lateTimer = undefined;
    this.kick();
  };

  private kick(): void {
    if (this.running !== undefined || this.queue.length === 0) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
      this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
      await this.write(batch);
    }
  }

  private announce(checkpoints: readonly AuditCheckpoint[]): void {
    for (const cp of checkpoints) {
      try {
        this.onCheckpoint(cp);
      } catch {
        // Copies outside the database are best effort; the record is already durable.
      }
    }
  }

  private noteCheckpoint(seq: number | undefined, at: Date): void {
    if (seq === undefined) return;
    this.lastCheckpointSeq = seq;
    this.lastCheckpointAt = at.getTime();
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const head = this.head ?? (await this.reloadHead());
      const records: AuditRecord[] = new Array<AuditRecord>(batch.length);
      const checkpoints: AuditCheckpoint[] = [];
      let { seq, hash } = head;
      for (let i = 0; i < batch.length; i++) {
        const event = (batch[i] as Pending).event;
        const prevHash = hash;
        seq += 1;
        hash = normalizedRecordHash(prevHash, seq, event);
        // The event is the log's own copy (normalizeAuditEvent), so it is hashed by the
        // normalised payload, and it becomes the record: a spread of events of many shapes
        // cost more than hashing them.
        const record = event as AuditRecord;
        record.seq = seq;
        record.prevHash = prevHash;
        record.hash = hash;
        records[i] = record;
        if (seq % this.checkpointEvery === 0) {
          checkpoints.push(signCheckpoint(this.key, seq, hash, this.now().toISOString()));
        }
      }
      const now = this.now();
      if (checkpoints.length === 0 && now.getTime() - this.lastCheckpointAt >= this.checkpointIntervalMs) {
        checkpoints.push(signCheckpoint(this.key, seq, hash, now.toISOString()));
      }
      const lastSigned = checkpoints.length > 0 ? (checkpoints[checkpoints.length - 1] as AuditCheckpoint).seq : undefined;
      if (this.store.commitBatch) {
        // Handed over now, durable later: the next batch may chain onto these records at
        // once, while their callers wait for the disk. The store applies batches in order
        // and refuses one that does not continue what it holds, so a batch chained onto
        // one that fails never commits.
        const { durable } = this.store.commitBatch(records, checkpoints);
        this.head = { seq, hash };
        this.noteCheckpoint(lastSigned, now);
        const flight: InFlight = { batch, order: this.handed++, failed: false };
        this.inFlight.push(flight);
        durable.then(
          () => {
            this.land(flight);
            if (flight.failed) return;
            this.announce(checkpoints);
            for (const p of batch) p.resolve();
          },
          (err: unknown) => {
            this.land(flight);
            this.failFrom(flight, err);
          },
        );
        this.pendingDurable.add(durable);
        void durable.catch(() => undefined).finally(() => this.pendingDurable.delete(durable));
        return;
      }
      await this.store.appendBatch(records, checkpoints);
      this.head = { seq, hash };
      this.noteCheckpoint(lastSigned, now);
      this.announce(checkpoints);
      for (const p of batch) p.resolve();
    } catch (err) {
      // The store may hold more (another writer) or less than we assumed: reload the head
      // before the next write, and fail everything pending so no caller answers 2xx.
      this.head = undefined;
      const failure = writeFailed(err);
      const rest = this.queue;
      this.queue = [];
      for (const p of batch) p.reject(failure);
      for (const p of rest) p.reject(failure);
    }
  }

  private land(flight: InFlight): void {
    const i = this.inFlight.indexOf(flight);
    if (i !== -1) this.inFlight.splice(i, 1);
  }

  /**
   * A batch handed to the store failed: it and every batch handed over after it (chained
   * onto it, whatever the store makes of them) fail, and so does everything queued; the
   * head is re-read before the next write.
   */
  private failFrom(flight: InFlight, err: unknown): void {
    // Already refused with an earlier batch it was chained onto: that failure cleared the
    // head and refused what was queued then. What was queued since waits for this batch
    // to settle before it reloads the head, and is not this batch's to refuse.
    if (flight.failed) return;
    const failure = writeFailed(err);
    this.head = undefined;
    for (const f of [flight, ...this.inFlight.filter((f) => f.order > flight.order)]) {
      if (f.failed) continue;
      f.failed = true;
      for (const p of f.batch) p.reject(failure);
    }
    const rest = this.queue;
    this.queue = [];
    for (const p of rest) p.reject(failure);
  }

  /**
   * The head as stored, read once every batch handed over has settled (one still on its
   * way could yet commit, or be refused).
   */
  private async reloadHead(): Promise<ChainHead> {
    while (this.pendingDurable.size > 0) await Promise.allSettled([...this.pendingDurable]);
    const head = await AuditLog.loadHead(this.store);
    // A checkpoint noted with a batch that did not commit is not in the store.
    if (this.lastCheckpointSeq > head.seq) {
      const stored = await this.store.checkpoints();
      this.lastCheckpointSeq = stored.length === 0 ? 0 : (stored[stored.length - 1] as AuditCheckpoint).seq;
    }
    return head;
  }
}
