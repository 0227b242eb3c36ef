/**
 * Consent records after ISO/IEC TS 27560, with W3C DPV terms: who consented (the data
 * subject), to whom (the recipient), for what (purposes), about which personal data
 * (entity types and attributes), on which legal basis, from when until when, and what
 * happened to it since (events). A record is kept as given; only events are added.
 */
import { DPV } from '../contracts/purposes.js';

/** dpv:Consent, the legal basis of every record made here. */
export const DPV_CONSENT = `${DPV}Consent`;

export type ConsentEventType = 'given' | 'withdrawn' | 'expired';

export interface ConsentEvent {
  event: ConsentEventType;
  /** ISO 8601. */
  at: string;
}

/**
 * The person a record is from: the `sub` their token carries at one of the city's own
 * issuers (who they log in as), and the identifier entities use for them (what a
 * contract's data-subject attribute holds), fixed when the consent is given.
 */
export interface DataSubject {
  issuer: string;
  sub: string;
  /** E.g. `urn:ngsi-ld:Person:alice`. */
  id: string;
}

/** Personal data of one entity type: its expanded IRI, and the attribute IRIs covered (null: every attribute). */
export interface PersonalData {
  type: string;
  attributes: string[] | null;
}

export interface ConsentRecord {
  /** `urn:uuid:…`. */
  id: string;
  dataSubject: DataSubject;
  /** The recipient, written as contract parties are (`party` or `@issuer-name/party`). */
  recipient: string;
  /** DPV purpose IRIs. */
  purposes: string[];
  personalData: PersonalData[];
  legalBasis: string;
  /** ISO 8601. */
  givenAt: string;
  /** ISO 8601; absent: until withdrawn. */
  validUntil?: string;
  /** In order, the first being `given`. */
  events: ConsentEvent[];
}

export type ConsentStatus = ConsentEventType;

/**
 * The status at `now`: withdrawn once withdrawn, expired from `validUntil` on (whether or
 * not the expiry was recorded yet), given otherwise.
 */
export function statusAt(record: ConsentRecord, now: number): ConsentStatus {
  if (record.events.some((e) => e.event === 'withdrawn')) return 'withdrawn';
  if (record.validUntil !== undefined && now >= Date.parse(record.validUntil)) return 'expired';
  return 'given';
}

/** The record as its data subject sees it, with its status at `now`. */
export function recordJson(record: ConsentRecord, now: number): Record<string, unknown> {
  return { ...record, status: statusAt(record, now) };
}
