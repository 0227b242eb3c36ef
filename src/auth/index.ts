/**
 * Access-token verification: JWTs (RFC 9068) checked against the configured issuers' key
 * sets, with a bounded cache of verified tokens (verifier.ts), then the token's binding to
 * the one presenting it (sender-binding.ts): a DPoP proof (RFC 9449, dpop-proof.ts, a pure
 * check; dpop-replay.ts remembers the proofs used, dpop-shared-replay.ts also in the store
 * other processes share) or the connection's client certificate
 * (RFC 8705). Every failure is a MimtrustError (UNAUTHENTICATED, INVALID_TOKEN or
 * INVALID_DPOP_PROOF) with a `reason` and a WWW-Authenticate challenge (challenge.ts); no
 * message ever carries the token, the proof or their claims. The caller's organisation
 * and a declared recipient are read here too, as each issuer says where they are.
 */
export { createTokenVerifier } from './verifier.js';
export type { TokenVerifierWithKeys } from './verifier.js';
export type { IssuerConfig, VerifiedToken, TokenVerifier, TokenVerifierOptions, DpopOptions, PresentedRequest, AuthenticatedToken } from './types.js';
export { DEFAULT_ALGORITHMS, DEFAULT_CLOCK_TOLERANCE_SEC, fetchableUrl } from './issuers.js';
export { createRemoteKeySet, type RemoteKeySet } from './remote-key-set.js';
export { createJwksFetch } from './jwks-fetch.js';
export { extractBearerToken, readAuthorization, singleAuthorization } from './bearer.js';
export type { Presented } from './bearer.js';
export { bearerChallenge, dpopChallenge, type BearerError, type DpopError } from './challenge.js';
export { checkDpopProof, accessTokenHash } from './dpop-proof.js';
export type { DpopLimits, DpopExpectation, CheckedProof } from './dpop-proof.js';
export { DpopReplayCache } from './dpop-replay.js';
export { localReplay, sharedReplay } from './dpop-shared-replay.js';
export type { ReplayCheck, ReplayUse } from './dpop-shared-replay.js';
export { DEFAULT_DPOP_ALGORITHMS, dpopLimits } from './dpop-settings.js';
export type { Binding } from './sender-binding.js';
export type { DpopProofReason, BindingReason } from './dpop-errors.js';
export { compileClaimPath, readPartyClaim, readStringList } from './claims.js';
export { RECIPIENT_HEADER, withDeclaredRecipient } from './declared-recipient.js';
export type { InvalidTokenReason } from './token-errors.js';
export type { JwksFetchOutcome } from './jwks-fetch.js';
