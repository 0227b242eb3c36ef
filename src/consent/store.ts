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
