/**
 * The citizen API's schemas: the body a consent is given with (checked by the route
 * against this very object) and every answer, from which /openapi.json describes the
 * routes (openapi/).
 */
import { BEARER, refusal } from '../openapi/index.js';

const NAME = { type: 'string', minLength: 1, maxLength: 512 } as const;
const TIME = { type: 'string', format: 'date-time' } as const;

export const giveSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['recipient', 'purposes', 'personalData'],
  properties: {
    '@context': { description: 'A JSON-LD @context for the type and attribute names, on top of the core context.' },
    recipient: { ...NAME, description: 'To whom: a party of one of the city\'s issuers (`supplier-app`) or of a partner (`@partner-idp/app`).' },
    purposes: { type: 'array', minItems: 1, maxItems: 32, items: NAME, description: 'DPV purposes, as `dpv:X` or full IRIs.' },
    personalData: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type'],
        properties: {
          type: NAME,
          attributes: { type: 'array', minItems: 1, maxItems: 256, items: NAME, description: 'Absent: every attribute of the type.' },
        },
      },
    },
    validUntil: { type: 'string', minLength: 1, maxLength: 64, description: 'ISO 8601 date-time with a time zone, still to come; absent: until withdrawn.' },
  },
} as const;

const recordSchema = {
  type: 'object',
  required: ['id', 'dataSubject', 'recipient', 'purposes', 'personalData', 'legalBasis', 'givenAt', 'events', 'status'],
  description: 'A consent record after ISO/IEC TS 27560, with W3C DPV terms.',
  properties: {
    id: { type: 'string', pattern: '^urn:uuid:' },
    dataSubject: {
      type: 'object',
      required: ['issuer', 'sub', 'id'],
      properties: { issuer: { type: 'string' }, sub: { type: 'string' }, id: { type: 'string', description: 'How entities name the person.' } },
    },
    recipient: { type: 'string' },
    purposes: { type: 'array', items: { type: 'string' } },
    personalData: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'attributes'],
        properties: { type: { type: 'string' }, attributes: { type: ['array', 'null'], items: { type: 'string' }, description: 'Expanded IRIs; null: every attribute.' } },
      },
    },
    legalBasis: { const: 'https://w3id.org/dpv#Consent' },
    givenAt: TIME,
    validUntil: TIME,
    events: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['event', 'at'], properties: { event: { enum: ['given', 'withdrawn', 'expired'] }, at: TIME } },
    },
    status: { enum: ['given', 'withdrawn', 'expired'], description: 'As of the request.' },
  },
} as const;

const ID = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 128, description: 'The record id (`urn:uuid:…`).' } } } as const;

/** Refusals every citizen route can give. */
const REFUSALS = {
  400: refusal('The request is malformed (a repeated Authorization header, a body where none is taken).'),
  401: refusal('No valid access token.'),
  403: refusal('The caller is not a person logged in with one of the city\'s own issuers (`consent_subject_not_citizen`), or their identifier cannot name a data subject (`consent_subject_unmapped`).'),
  '5XX': refusal('The gateway could not do it (the audit log is unavailable, an internal error).'),
};
const NOT_FOUND = { 404: refusal('No such record of the caller (another person\'s answers the same).') };

function operation(operationId: string, summary: string, responses: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { operationId, summary, tags: ['consents'], security: BEARER, ...extra, response: { ...REFUSALS, ...responses } };
}

export const listSchema = operation('listConsents', 'The caller\'s consent records, oldest first', { 200: { description: 'The records.', type: 'array', items: recordSchema } });
export const exportSchema = operation('exportConsents', 'The caller and all their records with events, as one document', {
  200: {
    description: 'The export.',
    type: 'object',
    required: ['dataSubject', 'exportedAt', 'records'],
    properties: { dataSubject: recordSchema.properties.dataSubject, exportedAt: TIME, records: { type: 'array', items: recordSchema } },
    headers: { 'content-disposition': { type: 'string', description: 'An attachment, consents.json.' } },
  },
});
export const retrieveSchema = operation('getConsent', 'One of the caller\'s records', { 200: { ...recordSchema, description: 'The record.' }, ...NOT_FOUND }, { params: ID });
export const giveRouteSchema = operation('giveConsent', 'Give a consent', {
  201: { ...recordSchema, description: 'Given.', headers: { location: { type: 'string', description: 'Where the record is.' } } },
  400: refusal('The body does not hold (`invalid_body`), names a recipient no trusted issuer has (`consent_recipient_unknown`) or a purpose that is not DPV\'s (`consent_purpose_unknown`), or is valid until a past time (`consent_until_past`).'),
  413: refusal('The body is larger than limits.bodyBytes.'),
  415: refusal('The body is not JSON.'),
  503: refusal('The @context the body names is not available.'),
}, { body: giveSchema, consumes: ['application/json', 'application/ld+json'] });
export const withdrawSchema = operation('withdrawConsent', 'Withdraw a consent; in force before the answer leaves', { 200: { ...recordSchema, description: 'The record, withdrawn.' }, ...NOT_FOUND }, { params: ID });
export const receiptSchema = operation('getConsentReceipt', 'The signed receipt of one of the caller\'s consents: a Verifiable Credential (VC Data Model 2.0, Data Integrity eddsa-rdfc-2022)', {
  200: {
    description: 'The receipt, the same for the same record and key; it names its revocation entry, set once the consent is withdrawn or expired. See docs/credentials.md.',
    type: 'object',
    required: ['@context', 'type', 'issuer', 'validFrom', 'credentialSubject', 'credentialStatus', 'proof'],
    properties: {
      '@context': { type: 'array', items: { type: 'string' } },
      id: { type: 'string' },
      type: { type: 'array', contains: { const: 'ConsentReceiptCredential' } },
      issuer: { type: 'string', pattern: '^did:' },
      validFrom: TIME,
      validUntil: TIME,
      credentialSubject: {
        type: 'object',
        required: ['id', 'type', 'hasDataSubject', 'hasRecipient', 'hasPurpose', 'hasPersonalData', 'hasLegalBasis'],
        description: 'The consent record in DPV terms (docs/credentials.md).',
        properties: {
          id: { type: 'string', pattern: '^urn:uuid:' },
          type: { const: 'ConsentRecord' },
          hasDataSubject: { type: 'object', required: ['id'], properties: { id: { type: 'string', description: 'The person\'s DID, or their account as a URN.' } } },
          hasRecipient: { type: 'string' },
          hasPurpose: { type: 'array', items: { type: 'string' } },
          hasPersonalData: { type: 'array' },
          hasLegalBasis: { const: 'https://w3id.org/dpv#Consent' },
        },
      },
      credentialStatus: {
        type: 'object',
        required: ['type', 'statusPurpose', 'statusListIndex', 'statusListCredential'],
        properties: { type: { const: 'BitstringStatusListEntry' }, statusPurpose: { const: 'revocation' }, statusListIndex: { type: 'string' }, statusListCredential: { type: 'string' } },
      },
      proof: {
        type: 'object',
        required: ['type', 'cryptosuite', 'verificationMethod', 'proofValue'],
        properties: { type: { const: 'DataIntegrityProof' }, cryptosuite: { const: 'eddsa-rdfc-2022' }, verificationMethod: { type: 'string' }, proofValue: { type: 'string' } },
      },
    },
    headers: { 'content-disposition': { type: 'string', description: 'An attachment, consent-receipt.json.' } },
  },
  ...NOT_FOUND,
  503: refusal('The receipt cannot be signed now (the gateway\'s address is not known yet, the status list store is unavailable).'),
}, { params: ID });
