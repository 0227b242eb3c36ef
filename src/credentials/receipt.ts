/**
 * A consent record as the unsigned credential its receipt is (VC Data Model 2.0): the
 * subject is the record in ISO/IEC TS 27560 / W3C DPV terms (the consent receipt
 * context), the validity is the consent's, and the data subject is the person's DID when
 * they have one (their token's `sub` is a DID), otherwise their account as a URN, or the
 * DID of the wallet the receipt was issued into (OID4VCI), which proved it holds its key.
 * Pure: the same record, issuer, status entry and holder give the same credential.
 */
import type { ConsentRecord, DataSubject } from '../consent/index.js';
import { VC_V2_CONTEXT, consentContextUrl } from './contexts.js';
import type { StatusListEntry } from './status-lists.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DID = /^did:[a-z0-9]+:[A-Za-z0-9._%:-]+$/;

/** Who a receipt is bound to: the person's DID, or their account at its issuer as a URN. */
export function holderOf(subject: DataSubject): string {
  if (DID.test(subject.sub)) return subject.sub;
  if (UUID.test(subject.sub)) return `urn:uuid:${subject.sub.toLowerCase()}`;
  return `urn:mimtrust:account:${encodeURIComponent(subject.issuer)}:${encodeURIComponent(subject.sub)}`;
}

/** Where the receipt of a record is downloaded; also the credential's id. */
export function receiptUrl(baseUrl: string, consentId: string): string {
  return `${baseUrl}/consents/${encodeURIComponent(consentId)}/receipt`;
}

export interface ReceiptParts {
  record: ConsentRecord;
  issuer: string;
  baseUrl: string;
  status: StatusListEntry;
  /** The DID the receipt is bound to instead of the data subject's own identifier: a wallet's. */
  holder?: string;
}

export function receiptCredential({ record, issuer, baseUrl, status, holder }: ReceiptParts): Record<string, unknown> {
  const credential: Record<string, unknown> = {
    '@context': [VC_V2_CONTEXT, consentContextUrl(baseUrl)],
    id: receiptUrl(baseUrl, record.id),
    type: ['VerifiableCredential', 'ConsentReceiptCredential'],
    issuer,
    validFrom: record.givenAt,
    ...(record.validUntil === undefined ? {} : { validUntil: record.validUntil }),
    credentialSubject: {
      id: record.id,
      type: 'ConsentRecord',
      hasDataSubject: { id: holder ?? holderOf(record.dataSubject), type: 'DataSubject', entityId: record.dataSubject.id },
      hasDataController: issuer,
      hasRecipient: record.recipient,
      hasPurpose: [...record.purposes],
      hasPersonalData: record.personalData.map((d) => (d.attributes === null
        ? { entityType: d.type, everyAttribute: true }
        : { entityType: d.type, attribute: [...d.attributes] })),
      hasLegalBasis: record.legalBasis,
      isIndicatedAtTime: record.givenAt,
    },
    credentialStatus: status,
  };
  return credential;
}

/** The person a credential is about, as a presentation's holder must be: a receipt's data subject, or the subject's id. */
export function boundSubject(credential: Record<string, unknown>): string | undefined {
  const subject = credential['credentialSubject'];
  if (subject === null || typeof subject !== 'object' || Array.isArray(subject)) return undefined;
  const s = subject as Record<string, unknown>;
  const dataSubject = s['hasDataSubject'] as Record<string, unknown> | undefined;
  if (dataSubject !== undefined && typeof dataSubject === 'object' && dataSubject !== null && typeof dataSubject['id'] === 'string') return dataSubject['id'];
  return typeof s['id'] === 'string' ? s['id'] : undefined;
}
