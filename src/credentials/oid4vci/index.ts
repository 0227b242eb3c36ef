/**
 * OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow: a citizen takes
 * the receipt of a consent in force into a wallet of their own (an EU digital identity
 * wallet). The wallet page shows the offer (a QR code and a link) with a transaction code;
 * the issuer's token endpoint redeems the code (src/issuer/pre-authorized-grant.ts); the
 * credential endpoint answers with the receipt bound to the wallet's DID.
 *
 * Pure parts: metadata.ts (the Credential Issuer Metadata and the names it fixes),
 * offer.ts (the offer and its URI), request.ts (a credential request read), proof.ts
 * (the holder's key proof checked; DIDs resolved through what it is given), errors.ts
 * (the protocol's error codes). issuance.ts is the module's one object (codes and nonces
 * behind SingleUseStore, kept in the store every process shares, so an offer made by one
 * instance is redeemed at any; the receipt made by the credentials module); routes.ts and
 * schemas.ts the HTTP side. See docs/credentials.md.
 */
export { CredentialOffers, RedemptionRefused } from './issuance.js';
export type { CredentialOffersOptions, OfferedReceipt, Offer, Redeemed, ReceiptSource, ConsentLookup } from './issuance.js';
export { Oid4vciError } from './errors.js';
export type { Oid4vciErrorCode } from './errors.js';
export { issuerMetadata, receiptDefinition, METADATA_PATH, NONCE_PATH, CREDENTIAL_PATH, RECEIPT_CONFIGURATION, PROOF_TYP, PROOF_ALGORITHMS } from './metadata.js';
export { credentialOffer, offerUri, offerOf, newTxCode, PRE_AUTHORIZED_GRANT, TX_CODE_LENGTH } from './offer.js';
export type { CredentialOffer } from './offer.js';
export { checkProof, didJwkOf } from './proof.js';
export type { CheckedProof, ProofExpectation } from './proof.js';
export { readCredentialRequest } from './request.js';
export type { CredentialRequest } from './request.js';
export { credentialOffersFromConfig } from './from-config.js';
export { oid4vciPlugin } from './routes.js';
export type { Oid4vciRouteDeps } from './routes.js';
