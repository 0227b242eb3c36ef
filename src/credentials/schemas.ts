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
        id: { type: 'string', maxLength: 2048, pattern: '^[A-Za-z][A-Za-z0-9+.-]*:[^\\s]+$', description: 'An absolute IRI; absent: a `urn:uuid:` is given. Revocation names the credential by it.' },
        type: { type: 'array', minItems: 1, contains: { const: 'VerifiableCredential' } },
        credentialSubject: { type: 'object' },
        proof: false,
      },
      description: 'An unsigned VC 2.0 credential whose contexts the gateway holds; `issuer` is the city\'s DID (set when absent), `validFrom` now when absent. The gateway gives it a `credentialStatus` (a BitstringStatusListEntry, purpose revocation, on the city\'s lists); one given here is refused (`credential_status_given`).',
    },
    options: { type: 'object', additionalProperties: false, properties: {} },
  },
} as const;

export const statusUpdateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['credentialId', 'credentialStatus'],
  properties: {
    credentialId: { type: 'string', minLength: 1, maxLength: 2048, description: 'The `id` of a credential issued through POST /credentials/issue.' },
    credentialStatus: {
      type: 'array',
      minItems: 1,
      maxItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'status'],
        properties: {
          type: { const: 'BitstringStatusListCredential' },
          status: { enum: ['revoked', 'active'], description: '`revoked` sets the credential\'s revocation bit; `active` is refused for a revoked credential (a bit, once set, stays set).' },
        },
      },
    },
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
      properties: {
        verifiableCredential: {
          ...signedCredential,
          required: [...signedCredential.required, 'id', 'credentialStatus'],
          properties: { ...signedCredential.properties, credentialStatus: { type: 'object', description: 'Its revocation entry on the city\'s status lists.' } },
        },
      },
    },
    ...BODY_REFUSALS,
    400: refusal('The body does not hold (`invalid_body`), names a context the gateway does not hold (`context_unknown`), another issuer (`issuer_not_city`), a status of its own (`credential_status_given`), or is not a credential that can be signed (`credential_invalid`).'),
    401: refusal('No valid access token.'),
    403: refusal('No role of the caller allows the operator\'s administration (`role_denied`, `operator_only`).'),
  },
};

/** A credential's status entry, as the status update answers it. */
const statusEntry = {
  type: 'object',
  required: ['type', 'statusPurpose', 'statusListIndex', 'statusListCredential', 'status'],
  properties: {
    id: { type: 'string' },
    type: { const: 'BitstringStatusListEntry' },
    statusPurpose: { const: 'revocation' },
    statusListIndex: { type: 'string' },
    statusListCredential: { type: 'string' },
    status: { enum: ['revoked', 'active'] },
  },
} as const;

export const statusUpdateSchema = {
  operationId: 'updateCredentialStatus',
  summary: 'Revoke a credential issued by the city (VC-API status update); for the operator\'s administration (manageContracts)',
  description: 'Sets the revocation bit of a credential issued through POST /credentials/issue, in the signed list served at /credentials/status/{list}; every verification after it answers `credential_revoked`. Revoking again changes nothing. A revocation is final: `active` for a revoked credential is refused. Consent receipts are not found here: withdrawing the consent revokes its receipt.',
  tags: TAGS,
  security: BEARER,
  body: statusUpdateBody,
  consumes: ['application/json', 'application/ld+json'],
  response: {
    200: {
      description: 'The credential\'s status now: its entry and `status`.',
      type: 'object',
      required: ['credentialStatus'],
      properties: { credentialStatus: { type: 'array', items: statusEntry } },
    },
    ...BODY_REFUSALS,
    400: refusal('The body does not hold (`invalid_body`).'),
    401: refusal('No valid access token.'),
    403: refusal('No role of the caller allows the operator\'s administration (`role_denied`, `operator_only`).'),
    404: refusal('No credential was issued here under that id (`credential_unknown`).'),
    409: refusal('`active` asked for a revoked credential: a revocation is final (`revocation_final`).'),
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
