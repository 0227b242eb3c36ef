/**
 * Walks the whole log in seq order, a page at a time, and reports the first record that
 * does not hold up: a missing seq (deletion), a record whose hash does not match its
 * content (edit, reorder), a record that does not link to the one before (an edit whose
 * hash was recomputed), a checkpoint that is not validly signed or does not match the
 * record it names, or checkpoints beyond the last record (tail cut off). With the options
 * it also holds the log to its checkpoint cadence and to the checkpoints anchored outside
 * the database, which is what catches a tail cut together with its checkpoints, deleted
 * checkpoints, and a log re-chained (and even re-signed) after an edit. Beside the chain it
 * reads the data-subject index and holds each record's rows to what the record released
 * (verify-subjects.ts).
 */
import type { KeyObject } from 'node:crypto';
import { AuditRecordCorruptError, type AuditStore } from './store.js';
import { GENESIS_HASH, recordHash } from './chain.js';
import { checkpointSignatureValid } from './checkpoint.js';
import { toAuditVerifyKeys, type AuditKeyInput } from './signing-key.js';
import type { AnchorRead } from './anchor-file.js';
import { checkAnchors, checkCadence, type Finding } from './verify-anchors.js';
import { SubjectIndexCursor, checkSubjectLeftovers, checkSubjectPage, pageAllowance } from './verify-subjects.js';
import type { AuditCheckpoint, AuditRecord, VerifyResult } from './types.js';

export interface VerifyOptions {
  /** Records read per page. Default 1000. */
  pageSize?: number;
  /** When given, the checkpoint cadence is checked: the writer signs at least every this many records. */
  checkpointEvery?: number;
  /** When given, the checkpoints copied outside the database must match it. */
  anchors?: AnchorRead;
}

interface CheckedCheckpoint {
  checkpoint: AuditCheckpoint;
  signed: boolean;
}


function checkRecord(record: AuditRecord, expectedSeq: number, expectedPrev: string): Finding {
  if (record.seq !== expectedSeq) {
    return record.seq > expectedSeq
      ? { seq: expectedSeq, problem: 'gap', detail: `record ${expectedSeq} is missing; the next record is ${record.seq}` }
      : { seq: expectedSeq, problem: 'broken_link', detail: `record ${record.seq} appears out of order` };
  }
  let hash: string;
  try {
    hash = recordHash(record.prevHash, record.seq, record);
  } catch {
    hash = '';
  }
  if (hash !== record.hash) {
    return { seq: record.seq, problem: 'hash_mismatch', detail: `record ${record.seq} does not match its hash` };
  }
  if (record.prevHash !== expectedPrev) {
    return { seq: record.seq, problem: 'broken_link', detail: `record ${record.seq} does not link to record ${record.seq - 1}` };
  }
  return undefined;
}

function checkAtCheckpoint(record: AuditRecord, entry: CheckedCheckpoint | undefined): Finding {
  if (entry === undefined) return undefined;
  if (!entry.signed) {
    return { seq: record.seq, problem: 'bad_checkpoint_signature', detail: `the checkpoint at record ${record.seq} is not validly signed` };
  }
  if (entry.checkpoint.hash !== record.hash) {
    return { seq: record.seq, problem: 'checkpoint_mismatch', detail: `record ${record.seq} does not match its signed checkpoint` };
  }
  return undefined;
}

/** Checkpoints beyond the last record, or at no possible seq. */
function checkLeftovers(checkpoints: Map<number, CheckedCheckpoint>, lastSeq: number): Finding {
  let first: CheckedCheckpoint | undefined;
  for (const entry of checkpoints.values()) {
    if (entry.checkpoint.seq > lastSeq || entry.checkpoint.seq < 1 || !Number.isSafeInteger(entry.checkpoint.seq)) {
      if (first === undefined || entry.checkpoint.seq < first.checkpoint.seq) first = entry;
    }
  }
  if (first === undefined) return undefined;
  const cpSeq = first.checkpoint.seq;
  if (!first.signed) {
    return { seq: cpSeq, problem: 'bad_checkpoint_signature', detail: `the checkpoint at record ${cpSeq} is not validly signed` };
  }
  if (cpSeq < 1 || !Number.isSafeInteger(cpSeq)) {
    return { seq: cpSeq, problem: 'checkpoint_mismatch', detail: `a checkpoint names an impossible record ${cpSeq}` };
  }
  return {
    seq: lastSeq + 1,
    problem: 'truncated',
    detail: `a signed checkpoint names record ${cpSeq} but the log ends at record ${lastSeq}`,
  };
}

/** Walk state: how many records have checked out, and the hash the next must link to. */
class ChainWalk {
  verified = 0;
  private prevHash = GENESIS_HASH;
  /** Hashes of the records at the seqs asked for (the anchored ones). */
  readonly hashesAt = new Map<number, string>();

  constructor(private readonly checkpoints: ReadonlyMap<number, CheckedCheckpoint>, private readonly wanted: ReadonlySet<number> = new Set()) {}

  get nextSeq(): number {
    return this.verified + 1;
  }

  /** Checks a page of records in order; returns the first finding, if any. */
  check(page: readonly AuditRecord[]): Finding {
    for (const record of page) {
      const finding = checkRecord(record, this.nextSeq, this.prevHash) ?? checkAtCheckpoint(record, this.checkpoints.get(record.seq));
      if (finding !== undefined) return finding;
      this.verified += 1;
      this.prevHash = record.hash;
      if (this.wanted.has(record.seq)) this.hashesAt.set(record.seq, record.hash);
    }
    return undefined;
  }
}

/** Reads the next page; an undecodable record ends the walk there, with a finding. */
async function nextPage(store: AuditStore, walk: ChainWalk, pageSize: number): Promise<{ page: AuditRecord[]; finding?: Finding }> {
  try {
    return { page: await store.readRange(walk.nextSeq, pageSize) };
  } catch (err) {
    if (!(err instanceof AuditRecordCorruptError) || err.seq < walk.nextSeq) throw err;
    const before = err.seq > walk.nextSeq ? await store.readRange(walk.nextSeq, err.seq - walk.nextSeq) : [];
    const finding = walk.check(before) ??
      (walk.nextSeq === err.seq
        ? { seq: err.seq, problem: 'hash_mismatch' as const, detail: `record ${err.seq} cannot be decoded` }
        : { seq: walk.nextSeq, problem: 'gap' as const, detail: `record ${walk.nextSeq} is missing; the next record is ${err.seq}` });
    return { page: [], finding };
  }
}

/**
 * Verifies the log against the public key(s) that signed its checkpoints. A store that
 * cannot be read makes this throw: an unreadable log is never reported as intact.
 */
export async function verifyAudit(
  store: AuditStore,
  publicKey: AuditKeyInput | readonly AuditKeyInput[],
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const pageSize = Math.max(1, Math.trunc(options.pageSize ?? 1000));
  const keys: ReadonlyMap<string, KeyObject> = toAuditVerifyKeys(publicKey);
  const checkpoints = new Map<number, CheckedCheckpoint>();
  for (const checkpoint of await store.checkpoints()) {
    checkpoints.set(checkpoint.seq, { checkpoint, signed: checkpointSignatureValid(checkpoint, keys) });
  }

  const anchored = new Set(options.anchors && !options.anchors.missing ? options.anchors.anchors.map((a) => a.seq) : []);
  const walk = new ChainWalk(checkpoints, anchored);
  const subjects = new SubjectIndexCursor(store);
  const fail = (firstBad: NonNullable<Finding>): VerifyResult => ({ ok: false, records: walk.verified, firstBad });
  for (;;) {
    const { page, finding } = await nextPage(store, walk, pageSize);
    const bad = finding ?? walk.check(page);
    // The index is held only to records the chain vouches for: those before a chain finding.
    const sound = bad === undefined ? page : page.filter((r) => r.seq < bad.seq);
    const last = sound.at(-1);
    const badIndex = last === undefined ? undefined : checkSubjectPage(sound, await subjects.takeThrough(last.seq, pageAllowance(sound)));
    if (badIndex !== undefined) return { ok: false, records: badIndex.seq - 1, firstBad: badIndex };
    if (bad !== undefined) return fail(bad);
    if (page.length < pageSize) break;
  }
  const leftover = checkLeftovers(checkpoints, walk.verified) ?? await checkSubjectLeftovers(subjects, walk.verified);
  if (leftover !== undefined) return fail(leftover);
  if (options.anchors !== undefined) {
    const bad = checkAnchors({
      read: options.anchors,
      keys,
      checkpoints: new Map([...checkpoints].map(([seq, entry]) => [seq, entry.checkpoint])),
      recordHashes: walk.hashesAt,
      lastSeq: walk.verified,
    });
    if (bad !== undefined) return fail(bad);
  }
  if (options.checkpointEvery !== undefined) {
    const bad = checkCadence([...checkpoints.keys()].sort((a, b) => a - b), walk.verified, options.checkpointEvery);
    if (bad !== undefined) return fail(bad);
  }
  return { ok: true, records: walk.verified, checkpoints: checkpoints.size };
}
