import type { ConsentEvent, ConsentRecord } from './record.js';

/** Where consent records are kept (src/store implements it). Records are kept as given; events are only added. */
export interface ConsentStore {
  /** Stores a new record with its events. */
  add(record: ConsentRecord): Promise<void>;
  get(id: string): Promise<ConsentRecord | undefined>;
  /** The records of one data subject, oldest first. */
  ofSubject(issuer: string, sub: string): Promise<ConsentRecord[]>;
  /** Adds an event to a record. */
  addEvent(id: string, event: ConsentEvent): Promise<void>;
}

/**
 * Told of every consent event once it is stored and in force, before the request that
 * caused it is answered (the credentials module revokes the receipt of a withdrawn or
 * expired consent). A listener that fails makes the request fail with 503; the event
 * stays in force, and withdrawing again tells the listeners again.
 */
export interface ConsentListener {
  consentChanged(record: ConsentRecord, event: ConsentEvent['event'], now: number): Promise<void>;
}

/** Issues the signed receipt of a consent record (src/credentials). */
export interface ReceiptIssuer {
  receiptOf(record: ConsentRecord, now: number): Promise<Record<string, unknown>>;
}
