/**
 * Token issuing.
 *
 * - The local issuer (local-token.ts): an ES256 key in keys/local-issuer.jwk.json, trusted
 *   when `localIssuer.enabled`; `mimtrust token` mints with it, for trying mimtrust out.
 * - The city's own OIDC issuer (`oidc.enabled`), oidc-provider mounted on the gateway under
 *   /oidc: provider.ts configures it (flows, JWT access tokens and their claims),
 *   clients.ts turns `oidc.clients` into its clients, and registers the city's own pages
 *   (the wallet) as first-party clients, signed in to without a consent screen, constants.ts names what the gateway shares with it, mount.ts hands it raw requests
 *   (and the RFC 8414 well-known URI of its metadata, at the root),
 *   grant-terms.ts keeps the purpose and consents of each grant, trust.ts makes the
 *   gateway trust it in process. interactions.ts serves the login and consent screens;
 *   login-throttle.ts slows password guessing there, counting failures in the store when
 *   instances share one; model-store.ts says what oidc-provider's state needs from the
 *   store (SQLite or PostgreSQL), a code or refresh token consumed once across instances;
 *   upstream-login.ts lets citizens log in through an upstream OpenID Provider instead
 *   (`oidc.upstream`), pending-logins.ts keeping those on their way there in the store. audit-issuance.ts puts
 *   every access token on the audit log before it leaves. vp-grant.ts is the grant that
 *   takes an organisation's Verifiable Presentation, vp-login-client.ts its public client
 *   and challenge route. pre-authorized-grant.ts is the grant a citizen's wallet redeems a
 *   credential offer with (OID4VCI; its metadata says a wallet needs no client_id),
 *   pre-authorized-client.ts its public client and the
 *   token request made that client's (mount.ts rewrites it), pre-authorized-refusals.ts
 *   the refused redemptions the audit log records. views/ holds every text a citizen
 *   reads, the wallet's too. Its signing keys are the key set `oidc-issuer` in keysDir
 *   (`mimtrust issuer rotate-key`). See docs/issuer.md.
 */
export { issueLocalToken, LOCAL_ORGANISATION_CLAIM, LOCAL_RECIPIENT_CLAIM, LOCAL_CONSENT_CLAIM } from './local-token.js';
export type { LocalTokenRequest, LocalIssuerSettings } from './local-token.js';
export { authorizationServerMetadataPlugin, createIssuer, issuerPlugin } from './plugin.js';
export type { IssuerDeps } from './plugin.js';
export type { FirstPartyClient } from './clients.js';
export { shortName } from './consent-request.js';
export { stringsFor, purposeLabel, LANGUAGE_CODES } from './views/index.js';
export type { Strings } from './views/index.js';
export { ownIssuerTrust } from './trust.js';
export { UpstreamLogin, UpstreamLoginError, upstreamFromConfig } from './upstream-login.js';
export { auditTokenIssuance, issuanceEvent } from './audit-issuance.js';
export type { UpstreamSettings, UpstreamIdentity } from './upstream-login.js';
export { OIDC_PREFIX, GATEWAY_RESOURCE, ISSUER_CLAIMS, LOCAL_ISSUER_KEY_NAME } from './constants.js';
export { VP_TOKEN_GRANT, VP_LOGIN_CLIENT_ID, VP_CHALLENGE_PATH, PRE_AUTHORIZED_GRANT, OID4VCI_CLIENT_ID, OID4VCI_RESOURCE } from './constants.js';
export type { PreAuthorizedCodes, RedeemedOffer } from './pre-authorized-client.js';
export type { VpLogin } from './vp-login-client.js';
export type { IssuerProvider } from './provider.js';
export type { ModelAdapter, OidcModelStore } from './model-store.js';
export { pendingInMemory, pendingInStore } from './pending-logins.js';
export type { PendingLogin, PendingLogins } from './pending-logins.js';
export type { FailureCounter, FailureCounters } from './login-throttle.js';
export const OIDC_KEY_SET_NAME = 'oidc-issuer';
export const OIDC_COOKIE_SECRET_NAME = 'oidc-cookies';
