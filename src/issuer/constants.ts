/** Names the issuer and the gateway share, apart from oidc-provider so that reading them does not load it. */

/** The resource indicator of the gateway: every access token is for it alone. */
export const GATEWAY_RESOURCE = 'urn:mimtrust:gateway';
/** The key set of the local issuer in keysDir (local-token.ts). */
export const LOCAL_ISSUER_KEY_NAME = 'local-issuer';
/** Where the issuer is mounted on the gateway. */
export const OIDC_PREFIX = '/oidc';
/** The claims the issuer writes; the gateway reads them (trust.ts). */
export const ISSUER_CLAIMS = { purpose: 'purpose', consents: 'consents', organisation: 'org_id', roles: 'roles' } as const;
/** The grant an organisation logs in with by presenting a Verifiable Presentation. */
export const VP_TOKEN_GRANT = 'urn:ietf:params:oauth:grant-type:vp-token';
/** The gateway's public client for that grant: the presentation is the proof. */
export const VP_LOGIN_CLIENT_ID = 'vp-login';
/** Under the issuer: where an organisation gets a challenge to sign. */
export const VP_CHALLENGE_PATH = '/vp-challenge';
/** The grant a citizen's wallet redeems a credential offer's pre-authorized code with (OID4VCI). */
export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
/** The authorization server metadata member saying a wallet may redeem a code without a client_id (OID4VCI 1.0 §12.3). */
export const PRE_AUTHORIZED_ANONYMOUS_ACCESS = 'pre-authorized_grant_anonymous_access_supported';
/** The RFC 8414 well-known path of authorization server metadata. */
export const AS_METADATA_WELL_KNOWN = '/.well-known/oauth-authorization-server';
/** The gateway's public client for that grant: wallets are not registered, the code is the proof. */
export const OID4VCI_CLIENT_ID = 'oid4vci-wallet';
/** The resource (and audience) of that grant's tokens: the credential endpoint, nothing else. */
export const OID4VCI_RESOURCE = 'urn:mimtrust:oid4vci';
