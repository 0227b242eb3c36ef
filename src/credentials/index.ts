/**
 * Verifiable credentials (MIM4): the city as an issuer with a DID (did:web of its public
 * address, or did:key for development) whose keys are the `vc-assertion` Ed25519 set in
 * keys/, consent receipts as VC Data Model 2.0 credentials with Data Integrity
 * eddsa-rdfc-2022, revocation through Bitstring Status Lists, DID resolution and the
 * VC-API verify, issue and status update (revocation) endpoints.
 *
 * Pure parts: did-web.ts (did:web both ways), receipt.ts (a consent record as its
 * credential), status-store.ts (the status list store's interface and bit order),
 * contexts.ts (every context, by URL, from packages and contexts/credentials/).
 * The rest: document-loader.ts (contexts and DIDs, never the network for a context),
 * did-resolution.ts (did:key in memory, did:web from an allow-list, bounded cache),
 * identity.ts (the DID document and the signing suite), status-lists.ts (entries, the
 * signed list, the bit read for verification), verify.ts (the checks and their answers),
 * presentation-cache.ts (what a presentation's signatures came to, remembered, bounded),
 * proof-pool.ts and proof-worker.ts (proofs checked in worker threads, bounded),
 * credentials.ts (the module's one object, the consent module's receipt issuer and
 * listener), routes.ts and schemas.ts (the HTTP side). Organisations logging in to the
 * issuer with a presentation: trusted-issuers.ts (pure: which roles a credential gives
 * under the trusted issuers list), trusted-list.ts (the configured entries and the
 * operator's, kept in the store) and vp-login.ts (single-use challenges, the presentation
 * checked, the list applied). Citizens taking a receipt into a wallet of their own
 * (OpenID for Verifiable Credential Issuance, pre-authorized code): oid4vci/, with its own
 * index. See docs/credentials.md.
 */
export { Credentials, VC_ASSERTION_KEY_SET } from './credentials.js';
export type { CredentialsOptions } from './credentials.js';
export { CredentialError } from './errors.js';
export { didWebOf, didWebLocation } from './did-web.js';
export type { DidWebLocation } from './did-web.js';
export { DidResolution } from './did-resolution.js';
export type { DidDocument, DidResolutionOptions } from './did-resolution.js';
export { documentLoader } from './document-loader.js';
export { cityIdentity, didWebDocument } from './identity.js';
export type { CityIdentity } from './identity.js';
export { holderOf, receiptCredential, receiptUrl, boundSubject } from './receipt.js';
export { StatusLists, STATUS_PATH } from './status-lists.js';
export type { StatusListEntry } from './status-lists.js';
export { STATUS_LIST_LENGTH, bitAt, setBitAt } from './status-store.js';
export type { StatusEntry, StatusEntryState, StatusListBits, StatusListStore } from './status-store.js';
export { Verifier } from './verify.js';
export type { Verification, VerificationProblem } from './verify.js';
export { PACKAGED_CONTEXTS, CONSENT_CONTEXT_PATH, CONSENT_CONTEXT_DOCUMENT, consentContextUrl } from './contexts.js';
export { credentialsPlugin, DID_DOCUMENT_PATH } from './routes.js';
export type { CredentialRouteDeps } from './routes.js';
export { credentialsFromConfig, verifyLimitOf } from './from-config.js';
export type { OpenedCredentials } from './from-config.js';
export { ProofPool } from './proof-pool.js';
export { trustedClaims } from './trusted-issuers.js';
export type { TrustedClaims } from './trusted-issuers.js';
export { PresentationLogin } from './vp-login.js';
export { TrustedIssuers } from './trusted-list.js';
export type { TrustedIssuerStore, ListedIssuer } from './trusted-list.js';
export type { PresentationLoginOptions, Challenge } from './vp-login.js';
export type { ProofPoolOptions } from './proof-pool.js';
export { CredentialOffers, RedemptionRefused, oid4vciPlugin, offerOf, credentialOffersFromConfig, PRE_AUTHORIZED_GRANT } from './oid4vci/index.js';
export type { Offer, OfferedReceipt } from './oid4vci/index.js';
