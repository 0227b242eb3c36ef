/**
 * Checks that need more than the chain itself: the checkpoint cadence (deleted
 * checkpoints leave a run of records longer than the writer ever leaves unsigned) and the
 * copies kept outside the database (a cut tail, deleted checkpoints or a re-chained log
 * no longer match the anchors). Pure: the records were walked already.
 */
import type { KeyObject } from 'node:crypto';
import { checkpointSignatureValid } from './checkpoint.js';
import type { AnchorRead } from './anchor-file.js';
import type { AuditCheckpoint, AuditProblem } from './types.js';

export type Finding = { seq: number; problem: AuditProblem; detail: string } | undefined;

/**
 * No more than `every` records between two checkpoints (or before the first), and fewer
 * than `every` after the last: the log signs at every multiple of `every`.
 */
export function checkCadence(checkpointSeqs: readonly number[], lastSeq: number, every: number): Finding {
  let prev = 0;
  for (const seq of checkpointSeqs) {
    if (seq > lastSeq) break;
    if (seq - prev > every) {
      return {
        seq: prev + 1,
        problem: 'checkpoint_cadence',
        detail: `records ${prev + 1} to ${seq} (${seq - prev}) have no signed checkpoint, but one is signed at least every ${every} records: checkpoints were deleted`,
      };
    }
    prev = seq;
  }
  if (lastSeq - prev >= every) {
    return {
      seq: prev + 1,
      problem: 'checkpoint_cadence',
      detail: prev === 0
        ? `the log has ${lastSeq} records and no signed checkpoint, but one is signed at least every ${every} records: checkpoints were deleted`
        : `the ${lastSeq - prev} records after record ${prev} have no signed checkpoint, but the unsigned tail is always shorter than ${every}: checkpoints were deleted`,
    };
  }
  return undefined;
}

export interface AnchorCheckInput {
  read: AnchorRead;
  keys: ReadonlyMap<string, KeyObject>;
  /** Checkpoints in the database, by seq. */
  checkpoints: ReadonlyMap<number, AuditCheckpoint>;
  /** Hashes of the records at the anchored seqs, as walked. */
  recordHashes: ReadonlyMap<number, string>;
  lastSeq: number;
}

/** Every anchor must be validly signed and match the database: record and checkpoint alike. */
export function checkAnchors(input: AnchorCheckInput): Finding {
  const { read, keys, checkpoints, recordHashes, lastSeq } = input;
  if (read.missing) {
    if (checkpoints.size === 0) return undefined;
    return {
      seq: 0,
      problem: 'anchor_file_missing',
      detail: `the anchor file ${read.path} is missing, but the database holds ${checkpoints.size} signed checkpoints that should have been copied there`,
    };
  }
  if (read.badLine !== undefined) {
    return { seq: 0, problem: 'anchor_invalid', detail: `line ${read.badLine} of the anchor file ${read.path} is not a checkpoint` };
  }
  if (read.anchors.length === 0 && checkpoints.size > 0) {
    return {
      seq: 0,
      problem: 'anchor_file_missing',
      detail: `the anchor file ${read.path} holds no checkpoint, but the database holds ${checkpoints.size} signed checkpoints that should have been copied there`,
    };
  }
  for (const anchor of read.anchors) {
    if (!checkpointSignatureValid(anchor, keys)) {
      return { seq: anchor.seq, problem: 'anchor_invalid', detail: `the anchored checkpoint for record ${anchor.seq} in ${read.path} is not validly signed` };
    }
  }
  for (const anchor of read.anchors) {
    const seq = anchor.seq;
    if (seq > lastSeq) {
      return {
        seq: lastSeq + 1,
        problem: 'truncated',
        detail: `the log ends at record ${lastSeq}, but the anchor file holds a signed checkpoint for record ${seq}: records were cut from the end`,
      };
    }
    if (recordHashes.get(seq) !== anchor.hash) {
      return {
        seq,
        problem: 'anchor_not_in_log',
        detail: `record ${seq} does not match the signed checkpoint anchored outside the database: the log was rewritten and re-chained`,
      };
    }
    const cp = checkpoints.get(seq);
    if (cp === undefined || cp.hash !== anchor.hash) {
      return {
        seq,
        problem: 'anchor_not_in_log',
        detail: `the signed checkpoint for record ${seq} in the anchor file is missing from the database: checkpoints were deleted`,
      };
    }
  }
  return undefined;
}
