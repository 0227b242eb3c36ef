/**
 * Consent records on PostgreSQL: the record as given (JSON) under its id and data subject,
 * its events in their own append-only table, as on SQLite. An event's number is taken under
 * a lock on its record, so two instances adding events to one record cannot both take it.
 */
import { inTransaction, NO_PUBLISHER, type ChangePublisher, type PgClient, type PgPool } from './pg.js';
import type { ConsentEvent, ConsentRecord, ConsentStore } from '../consent/index.js';

interface RecordRow { record: string }
interface EventRow { event: string; at: string }

const INSERT_EVENT =
  'INSERT INTO consent_events (consent_id, seq, event, at) VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM consent_events WHERE consent_id = $1), $2, $3)';

export class PgConsentStore implements ConsentStore {
  /** Each new record and event is published to the other instances with the transaction that stores it. */
  constructor(private readonly pool: PgPool, private readonly changes: ChangePublisher = NO_PUBLISHER) {}

  private async toRecord(row: RecordRow): Promise<ConsentRecord> {
    const rest = JSON.parse(row.record) as Omit<ConsentRecord, 'events'>;
    const r = await this.pool.query<EventRow>('SELECT event, at FROM consent_events WHERE consent_id = $1 ORDER BY seq', [rest.id]);
    return { ...rest, events: r.rows.map((e) => ({ event: e.event as ConsentEvent['event'], at: e.at })) };
  }

  async add(record: ConsentRecord): Promise<void> {
    const { events, ...rest } = record;
    await inTransaction(this.pool, async (client: PgClient) => {
      await client.query(
        'INSERT INTO consent_records (id, subject_issuer, subject_sub, record, given_at) VALUES ($1, $2, $3, $4, $5)',
        [record.id, record.dataSubject.issuer, record.dataSubject.sub, JSON.stringify(rest), record.givenAt],
      );
      for (const e of events) await client.query(INSERT_EVENT, [record.id, e.event, e.at]);
      // Another instance may have remembered that no record had this id.
      await this.changes.publishIn(client, { kind: 'consent', id: record.id });
    });
  }

  async get(id: string): Promise<ConsentRecord | undefined> {
    const r = await this.pool.query<RecordRow>('SELECT record FROM consent_records WHERE id = $1', [id]);
    const row = r.rows[0];
    return row === undefined ? undefined : this.toRecord(row);
  }

  async ofSubject(issuer: string, sub: string): Promise<ConsentRecord[]> {
    const r = await this.pool.query<RecordRow>(
      'SELECT record FROM consent_records WHERE subject_issuer = $1 AND subject_sub = $2 ORDER BY given_at COLLATE "C", id COLLATE "C"',
      [issuer, sub],
    );
    return Promise.all(r.rows.map((row) => this.toRecord(row)));
  }

  async addEvent(id: string, event: ConsentEvent): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const found = await client.query('SELECT 1 FROM consent_records WHERE id = $1 FOR SHARE', [id]);
      if (found.rowCount === 0) throw new Error('no such consent record');
      // Serialises event numbers per record across instances; released at commit.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [id]);
      await client.query(INSERT_EVENT, [id, event.event, event.at]);
      await this.changes.publishIn(client, { kind: 'consent', id });
    });
  }
}
