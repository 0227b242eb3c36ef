/** Names the issuer and the gateway share, apart from oidc-provider so that reading them does not load it. */

/** The resource indicator of the gateway: every access token is for it alone. */
export const GATEWAY_RESOURCE = 'urn:mimtrust:gateway';
/** Where the issuer is mounted on the gateway. */
export const OIDC_PREFIX = '/oidc';
/** The claims the issuer writes; the gateway reads them (trust.ts). */
export const ISSUER_CLAIMS = { purpose: 'purpose', consents: 'consents', organisation: 'org_id', roles: 'roles' } as const;
