/**
 * What a wallet reads before it asks for a credential (OID4VCI 1.0 §12.2): the Credential
 * Issuer Metadata at /.well-known/openid-credential-issuer. The city's gateway is the
 * credential issuer (its public base URL is the identifier, as in credentials.baseUrl);
 * the city's own OIDC issuer is the authorization server, whose token endpoint takes the
 * pre-authorized code. One credential configuration: the consent receipt, a VC 2.0
 * credential with a Data Integrity proof (`ldp_vc`), bound to the wallet's DID. Pure.
 */
import { VC_V2_CONTEXT, consentContextUrl } from '../contexts.js';

export const METADATA_PATH = '/.well-known/openid-credential-issuer';
export const NONCE_PATH = '/oid4vci/nonce';
export const CREDENTIAL_PATH = '/oid4vci/credential';
/** The one credential configuration this issuer offers. */
export const RECEIPT_CONFIGURATION = 'ConsentReceiptCredential_ldp_vc';
export const PROOF_TYP = 'openid4vci-proof+jwt';
/** Algorithms a holder may sign its key proof with. */
export const PROOF_ALGORITHMS = ['ES256', 'EdDSA'] as const;
/** The DID methods a receipt can be bound to: did:key (Ed25519) and did:jwk. */
export const BINDING_METHODS = ['did:key', 'did:jwk'] as const;

export function receiptDefinition(baseUrl: string): { '@context': string[]; type: string[] } {
  return { '@context': [VC_V2_CONTEXT, consentContextUrl(baseUrl)], type: ['VerifiableCredential', 'ConsentReceiptCredential'] };
}

export function issuerMetadata(baseUrl: string, authorizationServer: string): Record<string, unknown> {
  return {
    credential_issuer: baseUrl,
    authorization_servers: [authorizationServer],
    credential_endpoint: `${baseUrl}${CREDENTIAL_PATH}`,
    nonce_endpoint: `${baseUrl}${NONCE_PATH}`,
    display: [{ name: 'City data wallet', locale: 'en' }, { name: 'Städtische Datenbörse', locale: 'de' }],
    credential_configurations_supported: {
      [RECEIPT_CONFIGURATION]: {
        format: 'ldp_vc',
        scope: 'consent_receipt',
        credential_definition: receiptDefinition(baseUrl),
        cryptographic_binding_methods_supported: [...BINDING_METHODS],
        credential_signing_alg_values_supported: ['eddsa-rdfc-2022'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: [...PROOF_ALGORITHMS] } },
        credential_metadata: {
          display: [
            { name: 'Consent receipt', locale: 'en', description: 'A signed receipt of a consent you gave through the city: who may use which of your data, what for, and until when.' },
            { name: 'Einwilligungsnachweis', locale: 'de', description: 'Ein signierter Nachweis einer Einwilligung, die Sie über die Stadt gegeben haben: wer welche Ihrer Daten wofür und bis wann nutzen darf.' },
          ],
        },
      },
    },
  };
}
