/**
 * Consent records on SQLite: the record as given (JSON) under its id and data subject,
 * and its events in their own append-only table, so nothing that happened to a consent
 * can be rewritten.
 */
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './sqlite.js';
import type { ConsentEvent, ConsentRecord, ConsentStore } from '../consent/index.js';
import { announceCommitted, type ChangeFeed } from '../changes/index.js';

interface RecordRow {
  record: string;
}

interface EventRow {
  event: string;
  at: string;
}

export class SqliteConsentStore implements ConsentStore {
  private readonly insertRecord: Statement<[string, string, string, string, string]>;
  private readonly insertEvent: Statement<[string, string, string, string]>;
  private readonly one: Statement<[string], RecordRow>;
  private readonly bySubject: Statement<[string, string], RecordRow>;
  private readonly events: Statement<[string], EventRow>;
  private readonly addTx: (record: ConsentRecord) => void;
  private readonly eventTx: (id: string, event: ConsentEvent) => void;

  /** With `changes`, each change is announced to the other workers once it has committed. */
  constructor(db: SqliteDatabase, private readonly changes?: Pick<ChangeFeed, 'publish'>) {
    this.insertRecord = db.prepare('INSERT INTO consent_records (id, subject_issuer, subject_sub, record, given_at) VALUES (?, ?, ?, ?, ?)');
    this.insertEvent = db.prepare(
      'INSERT INTO consent_events (consent_id, seq, event, at) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM consent_events WHERE consent_id = ?), ?, ?)',
    );
    this.one = db.prepare('SELECT record FROM consent_records WHERE id = ?');
    this.bySubject = db.prepare('SELECT record FROM consent_records WHERE subject_issuer = ? AND subject_sub = ? ORDER BY given_at, id');
    this.events = db.prepare('SELECT event, at FROM consent_events WHERE consent_id = ? ORDER BY seq');
    const addTx = db.transaction((record: ConsentRecord) => {
      const { events, ...rest } = record;
      this.insertRecord.run(record.id, record.dataSubject.issuer, record.dataSubject.sub, JSON.stringify(rest), record.givenAt);
      for (const e of events) this.insertEvent.run(record.id, record.id, e.event, e.at);
    });
    const eventTx = db.transaction((id: string, event: ConsentEvent) => {
      if (this.one.get(id) === undefined) throw new Error('no such consent record');
      this.insertEvent.run(id, id, event.event, event.at);
    });
    // IMMEDIATE: other processes write this file too; a transaction that read before taking
    // the write lock could not wait for theirs (SQLITE_BUSY at once, whatever the timeout).
    this.addTx = (record) => addTx.immediate(record);
    this.eventTx = (id, event) => eventTx.immediate(id, event);
  }

  private toRecord(row: RecordRow): ConsentRecord {
    const rest = JSON.parse(row.record) as Omit<ConsentRecord, 'events'>;
    const events = this.events.all(rest.id).map((e) => ({ event: e.event as ConsentEvent['event'], at: e.at }));
    return { ...rest, events };
  }

  async add(record: ConsentRecord): Promise<void> {
    this.addTx(record);
    announceCommitted(this.changes, { kind: 'consent', id: record.id });
  }

  async get(id: string): Promise<ConsentRecord | undefined> {
    const row = this.one.get(id);
    return row === undefined ? undefined : this.toRecord(row);
  }

  async ofSubject(issuer: string, sub: string): Promise<ConsentRecord[]> {
    return this.bySubject.all(issuer, sub).map((r) => this.toRecord(r));
  }

  async addEvent(id: string, event: ConsentEvent): Promise<void> {
    this.eventTx(id, event);
    announceCommitted(this.changes, { kind: 'consent', id });
  }
}
