/**
 * From records to what the decision reads, and the check a token's consents must pass.
 * Pure: the party names resolve through the issuers passed in, the clock is `now`.
 */
import { ContractError, type PartyNames, type PartySet } from '../contracts/index.js';
import { readParties } from '../contracts/parties.js';
import { FULL_SCOPE } from '../policy/scope.js';
import type { AttributeScope, ConsentGrant } from '../policy/types.js';
import { statusAt, type ConsentRecord, type ConsentStatus } from './record.js';

/** The recipient as contract parties are resolved; undefined when it names no trusted issuer's party. */
export function recipientParties(recipient: string, parties: PartyNames): PartySet | undefined {
  try {
    return readParties([recipient], { source: 'consent', expand: (t) => t, parties });
  } catch (err) {
    if (err instanceof ContractError) return undefined;
    throw err;
  }
}

/** The record as the decision reads it; undefined when its recipient no longer resolves (it then covers nobody). */
export function grantOf(record: ConsentRecord, parties: PartyNames): ConsentGrant | undefined {
  const recipients = recipientParties(record.recipient, parties);
  if (recipients === undefined) return undefined;
  const types = new Map<string, AttributeScope>();
  for (const d of record.personalData) {
    types.set(d.type, d.attributes === null ? FULL_SCOPE : { kind: 'only', attrs: new Set(d.attributes) });
  }
  const grant: ConsentGrant = { id: record.id, subject: record.dataSubject.id, recipients, purposes: new Set(record.purposes), types, from: Date.parse(record.givenAt) };
  if (record.validUntil !== undefined) grant.until = Date.parse(record.validUntil);
  return grant;
}

/** Why a token resting on these consents is refused at `now`, or undefined when each of them holds. */
export function tokenRefusal(ids: readonly string[], records: ReadonlyMap<string, ConsentRecord>, now: number): 'consent_unknown' | 'consent_withdrawn' | 'consent_expired' | undefined {
  let worst: ConsentStatus | undefined;
  for (const id of ids) {
    const record = records.get(id);
    if (record === undefined) return 'consent_unknown';
    const status = statusAt(record, now);
    if (status === 'withdrawn') return 'consent_withdrawn';
    if (status === 'expired') worst = status;
  }
  return worst === 'expired' ? 'consent_expired' : undefined;
}
