/**
 * Reading the audit log by what an operator asks about (a caller, a decision, permits or
 * denials, a time range) for `mimtrust audit list|tail|export`, and by the data subject whose
 * data was released, for the citizen's own access history (the wallet). Meant for a read-only
 * connection: WAL lets it read while the gateway writes, never holding the writer up.
 * Every value is a bound parameter; only the choice of conditions shapes the SQL.
 */
import type { Statement } from 'better-sqlite3';
import type { AuditRecord } from '../audit/types.js';
import type { SqliteDatabase } from './sqlite.js';
import { RECORD_COLUMNS, fromRow, type RecordRow } from './sqlite-audit-store.js';

export interface AuditRecordFilter {
  sub?: string;
  /** A data subject (as entities name them) whose data the record's read released. */
  subject?: string;
  clientId?: string;
  decisionId?: string;
  effect?: 'permit' | 'deny';
  /** ISO 8601 UTC (as Date#toISOString writes it): records at or after. */
  since?: string;
  /** ISO 8601 UTC: records before. */
  until?: string;
}

const CONDITIONS: ReadonlyArray<readonly [keyof AuditRecordFilter, string]> = [
  ['sub', 'sub = @sub'],
  ['subject', 'seq IN (SELECT seq FROM audit_data_subjects WHERE subject = @subject)'],
  ['clientId', 'client_id = @clientId'],
  ['decisionId', 'decision_id = @decisionId'],
  ['effect', 'effect = @effect'],
  // Records store time as Date#toISOString does, so text order is time order.
  ['since', 'time >= @since'],
  ['until', 'time < @until'],
];

type Params = AuditRecordFilter & { seq?: number; upTo?: number; limit?: number };

export class SqliteAuditQuery {
  private readonly params: AuditRecordFilter;
  private readonly newestFirst: Statement<[Params], RecordRow>;
  private readonly afterSeq: Statement<[Params], RecordRow>;
  private readonly maxSeq: Statement<[], { seq: number | null }>;

  constructor(db: SqliteDatabase, filter: AuditRecordFilter) {
    const set = CONDITIONS.filter(([key]) => filter[key] !== undefined);
    this.params = Object.fromEntries(set.map(([key]) => [key, filter[key]]));
    const where = set.map(([, sql]) => ` AND ${sql}`).join('');
    this.newestFirst = db.prepare(`SELECT ${RECORD_COLUMNS} FROM audit_records WHERE 1${where} ORDER BY seq DESC LIMIT @limit`);
    this.afterSeq = db.prepare(`SELECT ${RECORD_COLUMNS} FROM audit_records WHERE seq > @seq AND seq <= @upTo${where} ORDER BY seq LIMIT @limit`);
    this.maxSeq = db.prepare('SELECT max(seq) AS seq FROM audit_records');
  }

  /** The newest `limit` matching records, oldest of them first. */
  newest(limit: number): AuditRecord[] {
    return this.newestFirst.all({ ...this.params, limit }).map(fromRow).reverse();
  }

  /** Up to `limit` matching records with seq above `seq` (and at most `upTo`), in seq order. */
  after(seq: number, limit: number, upTo = Number.MAX_SAFE_INTEGER): AuditRecord[] {
    return this.afterSeq.all({ ...this.params, seq, upTo, limit }).map(fromRow);
  }

  /** The highest seq in the log, matching or not (0 when empty): where a follower goes on from. */
  lastSeq(): number {
    return this.maxSeq.get()?.seq ?? 0;
  }
}
