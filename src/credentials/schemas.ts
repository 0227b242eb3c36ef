/**
 * The credential routes' schemas, shaped after the W3C VC-API: the bodies the verify and
 * issue routes take (checked by the routes against these very objects) and every answer,
 * from which /openapi.json describes them.
 */
import { BEARER, NO_TOKEN, refusal } from '../openapi/index.js';

const JSON_OBJECT = { type: 'object' } as const;

/** A signed credential, as the routes answer one (the members every one has). */
const signedCredential = {
  type: 'object',
  required: ['@context', 'type', 'issuer', 'credentialSubject', 'proof'],
  properties: {
    '@context': { type: 'array', items: { type: 'string' } },
    id: { type: 'string' },
    type: { type: 'array', items: { type: 'string' } },
    issuer: { type: 'string', pattern: '^did:' },
    validFrom: { type: 'string' },
    credentialSubject: { type: 'object' },
    proof: { type: 'object', required: ['type', 'cryptosuite'], properties: { type: { const: 'DataIntegrityProof' }, cryptosuite: { const: 'eddsa-rdfc-2022' } } },
  },
} as const;

export const verifyCredentialBody = {
  type: 'object',
  additionalProperties: false,
  required: ['verifiableCredential'],
  properties: {
    verifiableCredential: { ...JSON_OBJECT, description: 'A VC Data Model 2.0 credential with a Data Integrity proof (eddsa-rdfc-2022).' },
    options: { type: 'object', additionalProperties: false, properties: {}, description: 'No options: every check is always made.' },
  },
} as const;

export const verifyPresentationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['verifiablePresentation', 'options'],
  properties: {
    verifiablePresentation: { ...JSON_OBJECT, description: 'A presentation signed by its holder (authentication proof), carrying credentials about the holder.' },
    options: {
      type: 'object',
      additionalProperties: false,
      required: ['challenge'],
      properties: {
        challenge: { type: 'string', minLength: 1, maxLength: 512, description: 'The challenge the verifier gave the holder; the proof must carry it.' },
        domain: { type: 'string', minLength: 1, maxLength: 512, description: 'The domain the proof must be bound to; absent: the proof may name none.' },
      },
    },
  },
} as const;

export const issueBody = {
  type: 'object',
  additionalProperties: false,
  required: ['credential'],
  properties: {
    credential: {
      type: 'object',
      required: ['@context', 'type', 'credentialSubject'],
      properties: {
        '@context': { type: 'array', minItems: 1, contains: { const: 'https://www.w3.org/ns/credentials/v2' } },
        type: { type: 'array', minItems: 1, contains: { const: 'VerifiableCredential' } },
        credentialSubject: { type: 'object' },
        proof: false,
        credentialStatus: false,
      },
      description: 'An unsigned VC 2.0 credential whose contexts the gateway holds; `issuer` is the city\'s DID (set when absent), `validFrom` now when absent. No status: status lists are for consent receipts.',
    },
    options: { type: 'object', additionalProperties: false, properties: {} },
  },
} as const;

const problem = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'A stable code (docs/credentials.md).' },
    message: { type: 'string' },
    credentialIndex: { type: 'integer', minimum: 0, description: 'Which credential of the presentation.' },
  },
} as const;

const verification = {
  description: 'The verification: `verified` is true only when no check gave an error.',
  type: 'object',
  additionalProperties: false,
  required: ['verified', 'checks', 'warnings', 'errors'],
  properties: {
    verified: { type: 'boolean' },
    checks: { type: 'array', items: { type: 'string' }, description: 'The checks made.' },
    warnings: { type: 'array', items: problem },
    errors: { type: 'array', items: problem },
  },
} as const;

const BODY_REFUSALS = {
  400: refusal('The body is not JSON or does not hold (`invalid_body`).'),
  413: refusal('The body is larger than limits.bodyBytes.'),
  415: refusal('The body is not JSON.'),
  503: refusal('The gateway does not know its own address yet (`credentials_not_ready`).'),
};

const TAGS = ['credentials'];

export const verifyCredentialSchema = {
  operationId: 'verifyCredential',
  summary: 'Verify a credential: proof, validity now, revocation status (VC-API)',
  tags: TAGS,
  security: NO_TOKEN,
  body: verifyCredentialBody,
  consumes: ['application/json', 'application/ld+json'],
  response: { 200: verification, ...BODY_REFUSALS },
};

export const verifyPresentationSchema = {
  operationId: 'verifyPresentation',
  summary: 'Verify a presentation: its proof for the challenge and domain, its holder, and each credential (VC-API)',
  tags: TAGS,
  security: NO_TOKEN,
  body: verifyPresentationBody,
  consumes: ['application/json', 'application/ld+json'],
  response: { 200: verification, ...BODY_REFUSALS },
};

export const issueSchema = {
  operationId: 'issueCredential',
  summary: 'Issue a credential signed by the city (VC-API); for the operator\'s administration (manageContracts)',
  tags: TAGS,
  security: BEARER,
  body: issueBody,
  consumes: ['application/json', 'application/ld+json'],
  response: {
    201: {
      description: 'Issued.',
      type: 'object',
      required: ['verifiableCredential'],
      properties: { verifiableCredential: signedCredential },
    },
    ...BODY_REFUSALS,
    400: refusal('The body does not hold (`invalid_body`), names a context the gateway does not hold (`context_unknown`), another issuer (`issuer_not_city`), or is not a credential that can be signed (`credential_invalid`).'),
    401: refusal('No valid access token.'),
    403: refusal('No role of the caller allows the operator\'s administration (`role_denied`, `operator_only`).'),
  },
};

export const statusListSchema = {
  operationId: 'getStatusList',
  summary: 'A status list of the credentials the city issued, as a signed BitstringStatusListCredential',
  tags: TAGS,
  security: NO_TOKEN,
  params: { type: 'object', required: ['list'], properties: { list: { type: 'string', maxLength: 16 } } },
  response: {
    200: {
      description: 'The list; signed again whenever a bit changes.',
      ...signedCredential,
      required: [...signedCredential.required, 'id'],
      properties: {
        ...signedCredential.properties,
        type: { type: 'array', contains: { const: 'BitstringStatusListCredential' } },
        credentialSubject: {
          type: 'object',
          required: ['type', 'statusPurpose', 'encodedList'],
          properties: { type: { const: 'BitstringStatusList' }, statusPurpose: { const: 'revocation' }, encodedList: { type: 'string', pattern: '^u' } },
        },
      },
      headers: { 'cache-control': { type: 'string' } },
    },
    404: refusal('No such list.'),
    503: refusal('The gateway does not know its own address yet.'),
  },
};

export const didDocumentSchema = {
  operationId: 'getDidDocument',
  summary: 'The city\'s did:web document: every key of its credential key set as a Multikey (assertionMethod)',
  tags: TAGS,
  security: NO_TOKEN,
  response: {
    200: {
      description: 'The DID document.',
      type: 'object',
      required: ['@context', 'id', 'verificationMethod', 'assertionMethod'],
      properties: {
        '@context': { type: 'array', items: { type: 'string' } },
        id: { type: 'string', pattern: '^did:web:' },
        verificationMethod: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['id', 'type', 'controller', 'publicKeyMultibase'],
            properties: { id: { type: 'string' }, type: { const: 'Multikey' }, controller: { type: 'string' }, publicKeyMultibase: { type: 'string', pattern: '^z6Mk' } },
          },
        },
        assertionMethod: { type: 'array', minItems: 1, items: { type: 'string' } },
      },
    },
    404: refusal('The city\'s DID is not a did:web (credentials.didMethod: key).'),
    503: refusal('The gateway does not know its own address yet.'),
  },
};
