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
  ['subject', '(segment, seq) IN (SELECT segment, seq FROM audit_data_subjects WHERE subject = @subject)'],
  ['clientId', 'client_id = @clientId'],
  ['decisionId', 'decision_id = @decisionId'],
  ['effect', 'effect = @effect'],
  // Records store time as Date#toISOString does, so text order is time order.
  ['since', 'time >= @since'],
  ['until', 'time < @until'],
];

type SegmentRow = RecordRow & { segment: string };

const fromSegmentRow = (row: SegmentRow): SegmentRecord => ({ ...fromRow(row), segment: row.segment });

type Params = AuditRecordFilter & { position?: number; upTo?: number; limit?: number };

/** A record with the segment it is in: its seq counts within that segment ('' for a single gateway's). */
export interface SegmentRecord extends AuditRecord {
  segment: string;
}

/** A page of records and the position of the last one, where the next page starts after. */
export interface AuditPage {
  records: SegmentRecord[];
  last: number;
}

/**
 * Positions are the order records were written in across all segments of the log (the
 * workers of one gateway each write a segment), so a follower sees every record once
 * whichever segment it is in; a record's seq counts within its segment only.
 */
export class SqliteAuditQuery {
  private readonly params: AuditRecordFilter;
  private readonly newestFirst: Statement<[Params], SegmentRow>;
  private readonly afterPosition: Statement<[Params], SegmentRow & { position: number }>;
  private readonly maxPosition: Statement<[], { position: number | null }>;

  constructor(db: SqliteDatabase, filter: AuditRecordFilter) {
    const set = CONDITIONS.filter(([key]) => filter[key] !== undefined);
    this.params = Object.fromEntries(set.map(([key]) => [key, filter[key]]));
    const where = set.map(([, sql]) => ` AND ${sql}`).join('');
    this.newestFirst = db.prepare(`SELECT segment, ${RECORD_COLUMNS} FROM audit_records WHERE id <= @upTo${where} ORDER BY id DESC LIMIT @limit`);
    this.afterPosition = db.prepare(`SELECT id AS position, segment, ${RECORD_COLUMNS} FROM audit_records WHERE id > @position AND id <= @upTo${where} ORDER BY id LIMIT @limit`);
    this.maxPosition = db.prepare('SELECT max(id) AS position FROM audit_records');
  }

  /** The newest `limit` matching records (at or before position `upTo`), oldest of them first. */
  newest(limit: number, upTo = Number.MAX_SAFE_INTEGER): SegmentRecord[] {
    return this.newestFirst.all({ ...this.params, limit, upTo }).map(fromSegmentRow).reverse();
  }

  /** Up to `limit` matching records after `position` (and at most `upTo`), in the order written. */
  after(position: number, limit: number, upTo = Number.MAX_SAFE_INTEGER): AuditPage {
    const rows = this.afterPosition.all({ ...this.params, position, upTo, limit });
    return { records: rows.map(fromSegmentRow), last: rows.at(-1)?.position ?? position };
  }

  /** The position of the last record written, matching or not (0 when empty): where a follower goes on from. */
  lastPosition(): number {
    return this.maxPosition.get()?.position ?? 0;
  }
}
