/** The OID4VCI routes' schemas, from which /openapi.json describes them. */
import { BEARER, NO_TOKEN, refusal } from '../../openapi/index.js';

const TAGS = ['credentials'];

export const metadataSchema = {
  operationId: 'getCredentialIssuerMetadata',
  summary: 'The Credential Issuer Metadata of OpenID for Verifiable Credential Issuance: endpoints, the authorization server, the consent receipt\'s configuration',
  tags: TAGS,
  security: NO_TOKEN,
  response: {
    200: {
      description: 'The metadata.',
      type: 'object',
      required: ['credential_issuer', 'authorization_servers', 'credential_endpoint', 'nonce_endpoint', 'credential_configurations_supported'],
      properties: {
        credential_issuer: { type: 'string' },
        authorization_servers: { type: 'array', items: { type: 'string' } },
        credential_endpoint: { type: 'string' },
        nonce_endpoint: { type: 'string' },
        display: { type: 'array', items: { type: 'object' } },
        credential_configurations_supported: { type: 'object' },
      },
    },
    503: refusal('The gateway does not know its public address yet.'),
  },
};

export const nonceSchema = {
  operationId: 'getCredentialNonce',
  summary: 'A c_nonce for a wallet\'s key proof: single use, short-lived (OID4VCI nonce endpoint)',
  tags: TAGS,
  security: NO_TOKEN,
  response: {
    200: { description: 'The nonce.', type: 'object', required: ['c_nonce'], properties: { c_nonce: { type: 'string' } } },
  },
};

export const credentialSchema = {
  operationId: 'requestCredential',
  summary: 'A consent receipt bound to the wallet\'s DID, for an access token of the pre-authorized code grant and a key proof (OID4VCI credential endpoint)',
  tags: TAGS,
  security: BEARER,
  body: {
    type: 'object',
    required: ['credential_configuration_id'],
    properties: {
      credential_configuration_id: { type: 'string', description: 'ConsentReceiptCredential_ldp_vc' },
      proofs: { type: 'object', properties: { jwt: { type: 'array', minItems: 1, maxItems: 1, items: { type: 'string' } } } },
      proof: { type: 'object', description: 'The earlier drafts\' single proof: { proof_type: "jwt", jwt }.' },
    },
  },
  consumes: ['application/json'],
  response: {
    200: {
      description: 'The receipt, signed by the city (Data Integrity, eddsa-rdfc-2022), its data subject the wallet\'s DID.',
      type: 'object',
      required: ['credentials'],
      properties: { credentials: { type: 'array', items: { type: 'object', required: ['credential'], properties: { credential: { type: 'object' } } } } },
    },
    400: refusal('invalid_credential_request, unknown_credential_configuration, invalid_proof or invalid_nonce (the `error` member).'),
    401: refusal('invalid_token: no access token of the pre-authorized code grant, or an expired one.'),
    403: refusal('credential_request_denied: the consent is no longer in force.'),
  },
};
