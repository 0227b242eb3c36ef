/**
 * The audit store on SQLite: one segment of the log, a chain of its own. A single gateway
 * writes the default segment ''; each worker of a gateway run in several processes writes
 * its own, so several processes append to one file without sharing a chain head (the
 * busy timeout makes a writer wait for another's commit). Statements are prepared once; a
 * batch of records and its checkpoints is one transaction (one WAL fsync under
 * synchronous=FULL).
 */
import type { Statement } from 'better-sqlite3';
import type { AuditCheckpoint, AuditConsent, AuditDecided, AuditRecord, AuditRelease, AuditTargets, SubjectIndexRow } from '../audit/types.js';
import type { SqliteDatabase } from './sqlite.js';
// From the interface's own module, not the audit folder's index: the audit writer thread
// loads this file and should load nothing else of the log.
import { AuditRecordCorruptError, type AuditStore } from '../audit/store.js';

export interface RecordRow {
  seq: number;
  time: string;
  decision_id: string;
  request_id: string;
  sub: string | null;
  client_id: string | null;
  operation: string;
  action: string;
  tenant: string | null;
  targets: string;
  effect: string;
  reason: string;
  rules: string | null;
  upstream_status: number | null;
  latency_ms: number;
  method: string;
  path: string;
  prev_hash: string;
  hash: string;
  decided: string | null;
  contract_revision: number | null;
  audit_level: string | null;
  issuer: string | null;
  providers: string | null;
  consent: string | null;
  released: string | null;
  binding: string | null;
}

export const RECORD_COLUMNS =
  'seq, time, decision_id, request_id, sub, client_id, operation, action, tenant, targets, effect, reason, rules, upstream_status, latency_ms, method, path, prev_hash, hash, decided, contract_revision, audit_level, issuer, providers, consent, released, binding';

/** A value of one column of audit_records, as the insert binds it. */
export type ColumnValue = string | number | null;

/**
 * A record as the insert binds it: RECORD_COLUMNS' values in order, the lists and objects
 * as JSON text. Built straight from the record, with no row object keyed by column in
 * between: the audit writer thread receives these arrays and inserts them as they come.
 */
export function recordValues(r: AuditRecord): ColumnValue[] {
  return [
    r.seq,
    r.time,
    r.decisionId,
    r.requestId,
    r.sub ?? null,
    r.clientId ?? null,
    r.operation,
    r.action,
    r.tenant ?? null,
    JSON.stringify(r.targets),
    r.effect,
    r.reason,
    r.rules === undefined ? null : JSON.stringify(r.rules),
    r.upstreamStatus ?? null,
    r.latencyMs,
    r.method,
    r.path,
    r.prevHash,
    r.hash,
    r.decided === undefined ? null : JSON.stringify(r.decided),
    r.contractRevision ?? null,
    r.auditLevel ?? null,
    r.issuer ?? null,
    r.providers === undefined ? null : JSON.stringify(r.providers),
    r.consent === undefined ? null : JSON.stringify(r.consent),
    r.released === undefined ? null : JSON.stringify(r.released),
    r.binding ?? null,
  ];
}

const COLUMN_NAMES = RECORD_COLUMNS.split(', ') as Array<keyof RecordRow>;

/** The record as a row keyed by column (for statements with named parameters). */
export function toRow(r: AuditRecord): RecordRow {
  const values = recordValues(r);
  return Object.fromEntries(COLUMN_NAMES.map((name, i) => [name, values[i]])) as unknown as RecordRow;
}

/**
 * A batch of records as the insert takes it: each record's values (recordValues), in seq
 * order, and the rows of the data-subject index they add, as [subject, seq]. Plain arrays
 * of strings and numbers: what the audit writer thread is sent, cheaper to copy between
 * threads than the records' objects, and inserted with no object rebuilt on the way.
 */
export interface RecordBatch {
  rows: ColumnValue[][];
  subjects: Array<[subject: string, seq: number]>;
}

export function recordBatch(records: readonly AuditRecord[]): RecordBatch {
  const rows: ColumnValue[][] = [];
  const subjects: Array<[string, number]> = [];
  for (const r of records) {
    rows.push(recordValues(r));
    if (r.released !== undefined) for (const s of r.released.subjects) subjects.push([s.id, r.seq]);
  }
  return { rows, subjects };
}

/** Where each column is in a row read as an array of RECORD_COLUMNS values (raw mode). */
const AT = Object.fromEntries(COLUMN_NAMES.map((name, i) => [name, i])) as Record<keyof RecordRow, number>;

export function fromRow(row: RecordRow): AuditRecord {
  return fromValues(COLUMN_NAMES.map((name) => row[name]));
}

/**
 * Decodes a row read as an array of RECORD_COLUMNS values. Reading arrays, the driver
 * builds no object per row and neither does this, which verifying millions of records
 * pays for once a record.
 */
export function fromValues(v: readonly unknown[]): AuditRecord {
  const seq = v[AT.seq] as number;
  let targets: AuditTargets;
  let rules: string[] | null;
  let decided: AuditDecided | null;
  let providers: string[] | null;
  let consent: AuditConsent | null;
  let released: AuditRelease | null;
  try {
    targets = JSON.parse(v[AT.targets] as string) as AuditTargets;
    rules = parseOrNull(v[AT.rules] as string | null) as string[] | null;
    decided = parseOrNull(v[AT.decided] as string | null) as AuditDecided | null;
    providers = parseOrNull(v[AT.providers] as string | null) as string[] | null;
    consent = parseOrNull(v[AT.consent] as string | null) as AuditConsent | null;
    released = parseOrNull(v[AT.released] as string | null) as AuditRelease | null;
  } catch (err) {
    throw new AuditRecordCorruptError(seq, err);
  }
  // The effect column is returned as stored: an altered value must reach the hash check.
  const record: AuditRecord = {
    seq,
    time: v[AT.time] as string,
    decisionId: v[AT.decision_id] as string,
    requestId: v[AT.request_id] as string,
    operation: v[AT.operation] as string,
    action: v[AT.action] as string,
    targets,
    effect: v[AT.effect] as AuditRecord['effect'],
    reason: v[AT.reason] as string,
    latencyMs: v[AT.latency_ms] as number,
    method: v[AT.method] as string,
    path: v[AT.path] as string,
    prevHash: v[AT.prev_hash] as string,
    hash: v[AT.hash] as string,
  };
  const issuer = v[AT.issuer] as string | null;
  if (issuer !== null) record.issuer = issuer;
  const sub = v[AT.sub] as string | null;
  if (sub !== null) record.sub = sub;
  const clientId = v[AT.client_id] as string | null;
  if (clientId !== null) record.clientId = clientId;
  const tenant = v[AT.tenant] as string | null;
  if (tenant !== null) record.tenant = tenant;
  if (rules !== null) record.rules = rules;
  const upstreamStatus = v[AT.upstream_status] as number | null;
  if (upstreamStatus !== null) record.upstreamStatus = upstreamStatus;
  if (decided !== null) record.decided = decided;
  const contractRevision = v[AT.contract_revision] as number | null;
  if (contractRevision !== null) record.contractRevision = contractRevision;
  // Returned as stored, like effect: an altered value must reach the hash check.
  const auditLevel = v[AT.audit_level] as string | null;
  if (auditLevel !== null) record.auditLevel = auditLevel as AuditRecord['auditLevel'];
  if (providers !== null) record.providers = providers;
  if (consent !== null) record.consent = consent;
  if (released !== null) record.released = released;
  // Returned as stored, like effect: an altered value must reach the hash check.
  const binding = v[AT.binding] as string | null;
  if (binding !== null) record.binding = binding as AuditRecord['binding'];
  return record;
}

const parseOrNull = (json: string | null): unknown => (json === null ? null : JSON.parse(json));

/** Thrown inside the write transaction when the segment's stored head is not what the batch chains onto. */
class SegmentHeadMoved extends Error {
  constructor(segment: string, expected: number, found: number) {
    super(`audit segment "${segment}": the batch starts after record ${expected} but the stored chain ends at record ${found}`);
    this.name = 'SegmentHeadMoved';
  }
}

export interface SqliteAuditStoreOptions {
  /** The chain segment written and read: '' (the default) is the segment of a single gateway. */
  segment?: string;
}

export class SqliteAuditStore implements AuditStore {
  readonly segment: string;
  private readonly insertRecord: Statement<unknown[]>;
  private readonly insertCheckpoint: Statement<[AuditCheckpoint & { segment: string }]>;
  private readonly insertSubject: Statement<[string, string, number]>;
  private readonly selectRange: Statement<[string, number, number], unknown[]>;
  private readonly selectLast: Statement<[string], RecordRow>;
  private readonly selectHead: Statement<[string], { seq: number | null }>;
  private readonly selectCheckpoints: Statement<[string], AuditCheckpoint>;
  private readonly selectSubjects: Statement<[string, number], SubjectIndexRow>;
  private readonly selectSubjectsAfter: Statement<[string, number, string, number], SubjectIndexRow>;
  private readonly writeBatch: (batch: RecordBatch, checkpoints: readonly AuditCheckpoint[]) => void;

  /** The segments with records, checkpoints or data-subject index rows in the log, in name order ('' first). */
  static segments(db: SqliteDatabase): string[] {
    const rows = db.prepare(
      'SELECT DISTINCT segment FROM audit_records UNION SELECT DISTINCT segment FROM audit_checkpoints UNION SELECT DISTINCT segment FROM audit_data_subjects ORDER BY 1',
    ).all() as Array<{ segment: string }>;
    return rows.map((r) => r.segment);
  }

  /**
   * A batch is durable once committed if the connection is synchronous=FULL; the audit
   * writer thread opens its connection with NORMAL and flushes the WAL itself.
   */
  constructor(db: SqliteDatabase, options: SqliteAuditStoreOptions = {}) {
    this.segment = options.segment ?? '';
    // Positional parameters, bound from recordValues' array: binding 28 named ones cost a
    // third of each insert.
    this.insertRecord = db.prepare(`INSERT INTO audit_records (segment, ${RECORD_COLUMNS}) VALUES (?, ${COLUMN_NAMES.map(() => '?').join(', ')})`);
    this.insertCheckpoint = db.prepare(
      'INSERT INTO audit_checkpoints (segment, seq, hash, time, kid, signature) VALUES (@segment, @seq, @hash, @time, @kid, @signature)',
    );
    // The index of data subjects is written in the same transaction as their record.
    this.insertSubject = db.prepare('INSERT OR IGNORE INTO audit_data_subjects (subject, segment, seq) VALUES (?, ?, ?)');
    // Raw rows (arrays), decoded by fromValues: see there.
    this.selectRange = db.prepare<[string, number, number], unknown[]>(`SELECT ${RECORD_COLUMNS} FROM audit_records WHERE segment = ? AND seq >= ? ORDER BY seq LIMIT ?`).raw(true);
    this.selectLast = db.prepare(`SELECT ${RECORD_COLUMNS} FROM audit_records WHERE segment = ? ORDER BY seq DESC LIMIT 1`);
    this.selectHead = db.prepare('SELECT max(seq) AS seq FROM audit_records WHERE segment = ?');
    this.selectCheckpoints = db.prepare('SELECT seq, hash, time, kid, signature FROM audit_checkpoints WHERE segment = ? ORDER BY seq');
    // Keyset pages over the index by record (migration 20), so each page is a range read.
    this.selectSubjects = db.prepare('SELECT seq, subject FROM audit_data_subjects WHERE segment = ? ORDER BY seq, subject LIMIT ?');
    this.selectSubjectsAfter = db.prepare(
      'SELECT seq, subject FROM audit_data_subjects WHERE segment = ? AND (seq, subject) > (?, ?) ORDER BY seq, subject LIMIT ?',
    );
    const segment = this.segment;
    const write = db.transaction((batch: RecordBatch, checkpoints: readonly AuditCheckpoint[]) => {
      // Other processes write other segments of this file; the head of this one is read
      // under the write lock, so a batch that does not continue what is stored (a second
      // writer of the segment) commits nothing rather than fork the chain.
      const first = batch.rows[0];
      if (first !== undefined) {
        const firstSeq = first[AT.seq] as number;
        const storedSeq = this.selectHead.get(segment)?.seq ?? 0;
        if (storedSeq !== firstSeq - 1) throw new SegmentHeadMoved(segment, firstSeq - 1, storedSeq);
      }
      // Spread, not the array itself: the driver reads an array's elements one property
      // look-up at a time, and arguments as they are (about 1 µs a record, 27 values).
      for (const values of batch.rows) this.insertRecord.run(segment, ...values);
      for (const [subject, seq] of batch.subjects) this.insertSubject.run(subject, segment, seq);
      for (const cp of checkpoints) this.insertCheckpoint.run({ segment, ...checkpointRow(cp) });
    });
    // IMMEDIATE: the write lock is taken before the head is read. A deferred transaction
    // that read first could not wait for another process's commit (SQLITE_BUSY at once,
    // whatever the busy timeout); an immediate one waits for the lock, then reads.
    this.writeBatch = (batch, checkpoints) => write.immediate(batch, checkpoints);
  }

  // better-sqlite3 is synchronous: each method does its work before returning, and an
  // error becomes a rejected promise rather than a throw, as with any other store.
  async appendBatch(records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[] = []): Promise<void> {
    await this.commitBatch(records, checkpoints).durable;
  }

  commitBatch(records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[] = []): { durable: Promise<void> } {
    return this.commitRows(recordBatch(records), checkpoints);
  }

  /** commitBatch for a batch already turned into column values (recordBatch): what the audit writer thread is sent. */
  commitRows(batch: RecordBatch, checkpoints: readonly AuditCheckpoint[] = []): { durable: Promise<void> } {
    this.writeBatch(batch, checkpoints);
    return { durable: Promise.resolve() };
  }

  async readRange(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.selectRange.all(this.segment, fromSeq, limit).map(fromValues);
  }

  async lastRecord(): Promise<AuditRecord | undefined> {
    const row = this.selectLast.get(this.segment);
    return row === undefined ? undefined : fromRow(row);
  }

  async appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    this.insertCheckpoint.run({ segment: this.segment, ...checkpointRow(checkpoint) });
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    return this.selectCheckpoints.all(this.segment);
  }

  async readSubjectIndex(after: SubjectIndexRow | undefined, limit: number): Promise<SubjectIndexRow[]> {
    return after === undefined
      ? this.selectSubjects.all(this.segment, limit)
      : this.selectSubjectsAfter.all(this.segment, after.seq, after.subject, limit);
  }
}

// Copy the known fields only, so a caller's extra properties never reach the statement.
function checkpointRow(cp: AuditCheckpoint): AuditCheckpoint {
  return { seq: cp.seq, hash: cp.hash, time: cp.time, kid: cp.kid, signature: cp.signature };
}
