/**
 * Token issuing. For now the local issuer: ES256 key in keys/local-issuer.jwk.json,
 * trusted by the gateway when `localIssuer.enabled`; `mimtrust token` mints with it.
 */
export { issueLocalToken, LOCAL_ORGANISATION_CLAIM, LOCAL_RECIPIENT_CLAIM, LOCAL_CONSENT_CLAIM } from './local-token.js';
export type { LocalTokenRequest, LocalIssuerSettings } from './local-token.js';
export const LOCAL_ISSUER_KEY_NAME = 'local-issuer';
