/**
 * The audit store on PostgreSQL: one instance's segment of the log. Every gateway on the
 * database appends to its own chain, keyed (instance, seq), so no lock is shared between
 * instances on the request path; the primary key still refuses a second writer of one
 * segment. A batch of records and its checkpoints is one statement, durable when it
 * commits (synchronous_commit, PostgreSQL's default).
 */
import type { AuditCheckpoint, AuditRecord, SubjectIndexRow } from '../audit/types.js';
import type { AuditStore } from '../audit/index.js';
import type { PgClient, PgPool } from './pg.js';
import { RECORD_COLUMNS, fromRow, fromValues, recordBatch, type RecordRow } from './sqlite-audit-store.js';

const COLUMNS = RECORD_COLUMNS.split(', ');
/** The columns of audit_records that are not TEXT, and their types. */
const CASTS: Readonly<Record<string, string>> = { seq: 'bigint', upstream_status: 'integer', latency_ms: 'double precision', contract_revision: 'integer' };
/**
 * A batch's records as one JSON parameter (an array of recordValues arrays), spread into
 * rows by the server (jsonb: parsed once, where each `->>` on json parses the row again).
 * One placeholder per value (27 a record) cost the gateway some 90 µs more CPU a batch,
 * to bind and send them (394 against 303 µs for a batch of one record, 730 against 652
 * for sixteen), and the server a statement of another text for every batch size. `->>`
 * gives JSON's null as NULL.
 */
const RECORD_ROWS = `SELECT $1, ${COLUMNS.map((c, i) => (CASTS[c] === undefined ? `r->>${i}` : `(r->>${i})::${CASTS[c]}`)).join(', ')} FROM jsonb_array_elements($2::jsonb) AS batch(r)`;
const INSERT_CHECKPOINT = 'INSERT INTO audit_checkpoints (instance, seq, hash, time, kid, signature) VALUES ($1, $2, $3, $4, $5, $6)';

const checkpointParams = (instance: string, cp: AuditCheckpoint): unknown[] => [instance, cp.seq, cp.hash, cp.time, cp.kid, cp.signature];

export class PgAuditStore implements AuditStore {
  /** `pool` may be one client, holding a transaction (audit verify reads one snapshot). */
  constructor(private readonly pool: PgPool | PgClient, readonly instance: string) {}

  /** The instances with a segment in the log (records, checkpoints or data-subject index rows), in name order. */
  static async instances(pool: PgPool): Promise<string[]> {
    const r = await pool.query<{ instance: string }>(
      'SELECT instance FROM audit_records UNION SELECT instance FROM audit_checkpoints UNION SELECT instance FROM audit_data_subjects ORDER BY 1',
    );
    return r.rows.map((row) => row.instance);
  }

  /** The newest `limit` records, of any instance, that released `subject`'s data; oldest first. */
  static async released(pool: PgPool, subject: string, limit: number): Promise<AuditRecord[]> {
    const r = await pool.query<RecordRow>(
      `SELECT ${COLUMNS.map((c) => `r.${c}`).join(', ')} FROM audit_data_subjects s
        JOIN audit_records r ON r.instance = s.instance AND r.seq = s.seq
        WHERE s.subject = $1 ORDER BY r.time DESC, r.instance, r.seq DESC LIMIT $2`,
      [subject, limit],
    );
    return r.rows.map(fromRow).reverse();
  }

  /**
   * The records, their data-subject index rows and the checkpoints in one statement (its
   * inserts commit together or not at all): one round trip a batch, whatever its size,
   * where a statement per record cost a round trip each, on the request path.
   */
  async appendBatch(records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[] = []): Promise<void> {
    // The same values as SQLite's insert binds (recordValues), in RECORD_COLUMNS' order.
    const { rows, subjects } = recordBatch(records);
    const params: unknown[] = [this.instance];
    const placeholders = (values: readonly unknown[]): string => `($1, ${values.map((v) => `$${params.push(v)}`).join(', ')})`;
    const inserts: string[] = [];
    if (rows.length > 0) {
      params.push(JSON.stringify(rows));
      inserts.push(`INSERT INTO audit_records (instance, ${RECORD_COLUMNS}) ${RECORD_ROWS}`);
    }
    // The index by which a person finds the reads of their data, as on SQLite. Two arrays, not
    // a placeholder per row: a read may release thousands of people's data, and a statement
    // takes at most 65,535 parameters (the records' are bounded by the batch size).
    if (subjects.length > 0) {
      const ids = `$${params.push(subjects.map(([id]) => id))}::text[]`;
      const seqs = `$${params.push(subjects.map(([, seq]) => seq))}::bigint[]`;
      inserts.push(`INSERT INTO audit_data_subjects (subject, instance, seq) SELECT subject, $1, seq FROM unnest(${ids}, ${seqs}) AS released(subject, seq) ON CONFLICT DO NOTHING`);
    }
    if (checkpoints.length > 0) {
      inserts.push(`INSERT INTO audit_checkpoints (instance, seq, hash, time, kid, signature) VALUES ${checkpoints.map((cp) => placeholders(checkpointParams(this.instance, cp).slice(1))).join(', ')}`);
    }
    const last = inserts.pop();
    if (last === undefined) return;
    const sql = inserts.length === 0 ? last : `WITH ${inserts.map((insert, i) => `step${i} AS (${insert})`).join(', ')} ${last}`;
    await this.pool.query(sql, params);
  }

  async readRange(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    // Rows as arrays, decoded by fromValues: no object per row on the way (see there).
    const r = await this.pool.query<unknown[]>({
      text: `SELECT ${RECORD_COLUMNS} FROM audit_records WHERE instance = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
      values: [this.instance, fromSeq, limit],
      rowMode: 'array',
    });
    return r.rows.map(fromValues);
  }

  async lastRecord(): Promise<AuditRecord | undefined> {
    const r = await this.pool.query<RecordRow>(
      `SELECT ${RECORD_COLUMNS} FROM audit_records WHERE instance = $1 ORDER BY seq DESC LIMIT 1`,
      [this.instance],
    );
    const row = r.rows[0];
    return row === undefined ? undefined : fromRow(row);
  }

  async appendCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    await this.pool.query(INSERT_CHECKPOINT, checkpointParams(this.instance, checkpoint));
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    const r = await this.pool.query<AuditCheckpoint>(
      'SELECT seq, hash, time, kid, signature FROM audit_checkpoints WHERE instance = $1 ORDER BY seq',
      [this.instance],
    );
    return r.rows;
  }

  async readSubjectIndex(after: SubjectIndexRow | undefined, limit: number): Promise<SubjectIndexRow[]> {
    // Keyset pages over the index by record (migration 20); the row comparison and the
    // order use the same collation, so no row is skipped or read twice.
    const r = after === undefined
      ? await this.pool.query<SubjectIndexRow>(
        'SELECT seq, subject FROM audit_data_subjects WHERE instance = $1 ORDER BY seq, subject LIMIT $2',
        [this.instance, limit],
      )
      : await this.pool.query<SubjectIndexRow>(
        'SELECT seq, subject FROM audit_data_subjects WHERE instance = $1 AND (seq, subject) > ($2, $3) ORDER BY seq, subject LIMIT $4',
        [this.instance, after.seq, after.subject, limit],
      );
    return r.rows;
  }
}
