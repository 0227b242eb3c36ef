/**
 * What the rest of mimtrust needs from persistent storage, one narrow interface per
 * concern. Methods return promises so that a networked implementation (PostgreSQL) can
 * follow the same interface as the embedded SQLite one.
 */
import { MimtrustError } from '../errors/index.js';
import type { AuditCheckpoint, AuditRecord, SubjectIndexRow } from './types.js';

/**
 * Thrown by readRange when a stored record cannot be decoded (its columns were altered),
 * naming the record so that a verifier can report it.
 */
export class AuditRecordCorruptError extends MimtrustError {
  readonly seq: number;
  constructor(seq: number, cause: unknown) {
    super('INTERNAL', `Audit record ${seq} cannot be decoded.`, { reason: 'audit_record_corrupt', cause });
    this.seq = seq;
  }
}

export interface AuditStore {
  /**
   * Writes records (ascending, contiguous seqs) and any checkpoints made with them in one
   * durable transaction: when the promise resolves all are on disk, when it rejects none.
   * A seq that already exists is an error (another writer got there first).
   */
  appendBatch(records: readonly AuditRecord[], checkpoints?: readonly AuditCheckpoint[]): Promise<void>;
  /**
   * Optional, for stores that take batches one after another without waiting for the
   * disk (SQLite's audit writer thread, which flushes the WAL after its commits): hands the
   * batch over (or throws, committing nothing) and says when it is committed and on disk.
   * Batches are applied in the order handed over, and one whose first seq does not follow
   * the segment's stored head commits nothing, so the log may chain the next batch at once:
   * if one fails, those chained onto it fail too.
   */
  commitBatch?(records: readonly AuditRecord[], checkpoints?: readonly AuditCheckpoint[]): { durable: Promise<void> };
  /**
   * Up to `limit` records with seq >= fromSeq, in ascending seq order. Throws
   * AuditRecordCorruptError for a record it cannot decode.
   */
  readRange(fromSeq: number, limit: number): Promise<AuditRecord[]>;
  /** The record with the highest seq, or undefined when the log is empty. */
  lastRecord(): Promise<AuditRecord | undefined>;
  appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void>;
  /** All checkpoints, in ascending seq order. */
  checkpoints(): Promise<AuditCheckpoint[]>;
  /**
   * Up to `limit` rows of the data-subject index (the people each record released data
   * of, by which a person finds the reads of their data), ordered by seq and then subject
   * in the store's own order, starting after the row `after` (from the first when absent).
   */
  readSubjectIndex(after: SubjectIndexRow | undefined, limit: number): Promise<SubjectIndexRow[]>;
}
