/**
 * Audit records as text for `mimtrust audit list|tail|export`: JSON lines (the record as
 * stored, one per line) or CSV (RFC 4180, a header row, CRLF). Each names its segment
 * first: the workers of one gateway each write a chain of their own, so two records can
 * share a seq; only a single gateway's records (segment '') leave it out of JSON. Records hold what callers
 * sent (paths, ids, token claims), so the text is made safe to open: control characters
 * are written as \u escapes (no terminal escape sequence gets through), and a CSV cell that
 * a spreadsheet would run as a formula (starting with = + - @) is prefixed with '.
 */
import type { AuditRecord } from '../audit/index.js';
import type { SegmentRecord } from '../store/index.js';

export type RecordFormat = 'json' | 'csv';

/** Every field of a record, in this order; the CSV header uses the JSON names. */
export const CSV_FIELDS = [
  'seq', 'time', 'decisionId', 'requestId', 'issuer', 'sub', 'clientId', 'binding', 'operation', 'action', 'tenant',
  'effect', 'reason', 'rules', 'upstreamStatus', 'latencyMs', 'method', 'path', 'targets', 'decided',
  'contractRevision', 'auditLevel', 'providers', 'consent', 'released', 'prevHash', 'hash',
] as const satisfies ReadonlyArray<keyof AuditRecord>;

// A field added to records and not to the CSV stops the build: the two forms hold the same.
type Unlisted = Exclude<keyof AuditRecord, (typeof CSV_FIELDS)[number]>;
const EVERY_FIELD: [Unlisted] extends [never] ? true : Unlisted = true;
void EVERY_FIELD;

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function csvCell(value: string | number | object | null | undefined): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Every control character but tab and line feed, CR included (it redraws a terminal line).
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  text = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, escape);
  if (/^[=+\-@\t]/.test(text)) text = `'${text}`;
  return /[",\n\r]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return ['segment', ...CSV_FIELDS].join(',') + '\r\n';
}

export function formatRecord(listed: SegmentRecord, format: RecordFormat): string {
  const { segment, ...record } = listed;
  if (format === 'csv') return [csvCell(segment), ...CSV_FIELDS.map((f) => csvCell(record[f]))].join(',') + '\r\n';
  // JSON.stringify escapes C0 controls but passes C1 ones, which some terminals obey.
  return JSON.stringify(segment === '' ? record : { segment, ...record }).replace(/[\u007f-\u009f]/g, escape) + '\n';
}
