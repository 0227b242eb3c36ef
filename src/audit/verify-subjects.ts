/**
 * Holds the data-subject index to the records it points to. The index is how a person
 * finds the reads of their data, and it lives outside the hashed records: a row deleted
 * hides a read from that person, a row added or moved shows them a read that was not of
 * their data. Each record's `released.subjects` (hashed, so checked by the chain) says
 * which rows it must have, no more and no fewer.
 *
 * The index is read beside the chain in seq order, a chunk at a time, so memory stays
 * bounded by the page of records being checked, however long the log and however many
 * rows were slipped in.
 */
import type { AuditStore } from './store.js';
import type { Finding } from './verify-anchors.js';
import type { AuditRecord, SubjectIndexRow } from './types.js';

/** Rows read from the store at once. */
const CHUNK = 1000;

/** The subjects a record's index rows must name: those it released data of. */
function expectedSubjects(record: AuditRecord): Set<string> {
  return new Set((record.released?.subjects ?? []).map((s) => s.id));
}

/** Safe to print: a subject cut short and quoted, control characters escaped. */
const shown = (subject: string): string => JSON.stringify(subject.length > 200 ? `${subject.slice(0, 200)}…` : subject);

const finding = (seq: number, detail: string): NonNullable<Finding> => ({ seq, problem: 'subject_index', detail });

/** Reads the index of one segment in (seq, subject) order, a chunk at a time. */
export class SubjectIndexCursor {
  #buffer: SubjectIndexRow[] = [];
  #at = 0;
  #last: SubjectIndexRow | undefined;
  #exhausted = false;

  constructor(private readonly store: AuditStore, private readonly chunk = CHUNK) {}

  /** The next row without taking it; undefined at the end of the index. */
  async peek(): Promise<SubjectIndexRow | undefined> {
    if (this.#at === this.#buffer.length && !this.#exhausted) {
      this.#buffer = await this.store.readSubjectIndex(this.#last, this.chunk);
      this.#at = 0;
      if (this.#buffer.length < this.chunk) this.#exhausted = true;
    }
    return this.#buffer[this.#at];
  }

  /**
   * Takes the rows up to record `lastSeq`, but no more than `max`: more rows than a page of
   * records may have means some are forged, and checking the ones taken finds them.
   */
  async takeThrough(lastSeq: number, max: number): Promise<SubjectIndexRow[]> {
    const taken: SubjectIndexRow[] = [];
    for (let row = await this.peek(); row !== undefined && row.seq <= lastSeq && taken.length < max; row = await this.peek()) {
      taken.push(row);
      this.#last = row;
      this.#at += 1;
    }
    return taken;
  }
}

/**
 * Checks a page of records (in seq order, already checked by the chain) against the index
 * rows taken for it. Returns the first record whose rows do not match what it released.
 */
export function checkSubjectPage(page: readonly AuditRecord[], rows: readonly SubjectIndexRow[]): Finding {
  let i = 0;
  for (const record of page) {
    const first = rows[i];
    if (first !== undefined && first.seq < record.seq) {
      return finding(record.seq, `the data-subject index names ${shown(first.subject)} at record ${first.seq}, which is not in the log`);
    }
    const expected = expectedSubjects(record);
    const seen = new Set<string>();
    for (; i < rows.length && rows[i]!.seq === record.seq; i++) {
      const subject = rows[i]!.subject;
      if (!expected.has(subject)) {
        return finding(record.seq, `the data-subject index names ${shown(subject)} at record ${record.seq}, which released no data of them`);
      }
      if (seen.has(subject)) return finding(record.seq, `the data-subject index names ${shown(subject)} twice at record ${record.seq}`);
      seen.add(subject);
    }
    if (seen.size < expected.size) {
      const missing = [...expected].find((s) => !seen.has(s)) as string;
      return finding(record.seq, `the data-subject index lacks ${shown(missing)} at record ${record.seq}, which released data of them`);
    }
  }
  return undefined;
}

/** The rows a page of records may have at most; one more proves a forged row among them. */
export function pageAllowance(page: readonly AuditRecord[]): number {
  let n = 0;
  for (const record of page) n += expectedSubjects(record).size;
  return n + 1;
}

/** An index row left after the last record points to a record that does not exist. */
export async function checkSubjectLeftovers(cursor: SubjectIndexCursor, lastSeq: number): Promise<Finding> {
  const row = await cursor.peek();
  if (row === undefined) return undefined;
  return finding(lastSeq + 1, `the data-subject index names ${shown(row.subject)} at record ${row.seq}, but the log ends at record ${lastSeq}`);
}
