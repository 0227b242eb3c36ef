/**
 * Access-token verification: bearer JWTs (RFC 9068) checked against the configured
 * issuers' key sets, with a bounded cache of verified tokens. Every failure is a
 * MimtrustError (UNAUTHENTICATED or INVALID_TOKEN) with a `reason` and a WWW-Authenticate
 * challenge; no message ever carries the token or its claims. The caller's organisation
 * and a declared recipient are read here too, as each issuer says where they are.
 */
export { createTokenVerifier } from './verifier.js';
export type { TokenVerifierWithKeys } from './verifier.js';
export type { IssuerConfig, VerifiedToken, TokenVerifier, TokenVerifierOptions } from './types.js';
export { DEFAULT_ALGORITHMS, DEFAULT_CLOCK_TOLERANCE_SEC, fetchableUrl } from './issuers.js';
export { createRemoteKeySet, type RemoteKeySet } from './remote-key-set.js';
export { createJwksFetch } from './jwks-fetch.js';
export { extractBearerToken, singleAuthorization } from './bearer.js';
export { bearerChallenge, type BearerError } from './challenge.js';
export { compileClaimPath, readPartyClaim, readStringList } from './claims.js';
export { RECIPIENT_HEADER, withDeclaredRecipient } from './declared-recipient.js';
export type { InvalidTokenReason } from './token-errors.js';
export type { JwksFetchOutcome } from './jwks-fetch.js';
