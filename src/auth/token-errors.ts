/**
 * The errors a token check ends in. Each reason has a fixed, safe description: nothing
 * from the token (not the token itself, not a claim value) ever reaches a message, a
 * header or an error cause.
 */
import { CodedError, MimtrustError } from '../errors/index.js';
import { bearerChallenge } from './challenge.js';

const DESCRIPTIONS = {
  token_malformed: 'The access token is not a well-formed JWT.',
  token_expired: 'The access token has expired.',
  token_not_yet_valid: 'The access token is not valid yet.',
  token_issuer_unknown: 'The access token was issued by an issuer that is not trusted.',
  token_audience_mismatch: 'The access token is not meant for this service.',
  token_algorithm_refused: 'The access token is signed with an algorithm that is not allowed.',
  token_type_refused: 'The access token does not have the required type.',
  token_signature_invalid: 'The access token signature is invalid.',
  token_key_unknown: 'The key that signed the access token is not known.',
  token_key_ambiguous: 'More than one key could have signed the access token.',
  token_claim_invalid: 'The access token lacks a required claim or has a claim of the wrong type.',
  token_issued_in_future: 'The access token was issued in the future.',
  token_lifetime_too_long: 'The access token is valid for longer than this gateway accepts.',
  token_confirmation_unsupported: 'The access token is bound to its holder in a way this gateway cannot check.',
  token_crit_unsupported: 'The access token names a critical header parameter this gateway does not support.',
  jwks_unavailable: 'The keys of the token issuer could not be obtained.',
  token_verification_failed: 'The access token could not be verified.',
} as const;

export type InvalidTokenReason = keyof typeof DESCRIPTIONS;

/** No usable `Authorization: Bearer <token>` header. RFC 6750 §3: no error code in the challenge. */
export function tokenMissing(): MimtrustError {
  return new MimtrustError('UNAUTHENTICATED', 'A bearer access token is required.', {
    reason: 'token_missing',
    headers: { 'www-authenticate': bearerChallenge() },
  });
}

/** The token was presented but cannot be accepted. `cause` is only ever a non-token failure (network). */
export function invalidToken(reason: InvalidTokenReason, cause?: unknown): MimtrustError {
  const description = DESCRIPTIONS[reason];
  return new MimtrustError('INVALID_TOKEN', description, {
    reason,
    headers: { 'www-authenticate': bearerChallenge('invalid_token', description) },
    cause,
  });
}

/** A header parameter name safe to name in an error: short, plain characters. */
const SAFE_PARAMETER = /^[A-Za-z0-9_#.+-]{1,32}$/;

/**
 * A `crit` header naming parameters the gateway does not understand (RFC 7515 §4.1.11).
 * The parameter is named in the error only when it is a short plain name, so nothing
 * arbitrary from the token reaches a message or header.
 */
export function critUnsupported(names: readonly unknown[]): MimtrustError {
  const named = names.filter((n): n is string => typeof n === 'string' && SAFE_PARAMETER.test(n));
  const base = DESCRIPTIONS.token_crit_unsupported;
  const description = named.length === 0 ? base : `${base.slice(0, -1)}: ${named.join(', ')}.`;
  return new MimtrustError('INVALID_TOKEN', description, {
    reason: 'token_crit_unsupported',
    headers: { 'www-authenticate': bearerChallenge('invalid_token', description) },
  });
}

/** Claim names jose reports on ERR_JWT_CLAIM_VALIDATION_FAILED, and what they mean here. */
const CLAIM_REASONS: ReadonlyMap<unknown, InvalidTokenReason> = new Map([
  ['nbf', 'token_not_yet_valid'],
  ['aud', 'token_audience_mismatch'],
  ['iss', 'token_issuer_unknown'],
  ['typ', 'token_type_refused'],
]);

const CODE_REASONS: ReadonlyMap<unknown, InvalidTokenReason> = new Map([
  ['ERR_JWT_EXPIRED', 'token_expired'],
  ['ERR_JOSE_ALG_NOT_ALLOWED', 'token_algorithm_refused'],
  ['ERR_JOSE_NOT_SUPPORTED', 'token_algorithm_refused'],
  ['ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'token_signature_invalid'],
  ['ERR_JWKS_NO_MATCHING_KEY', 'token_key_unknown'],
  ['ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'token_key_ambiguous'],
  ['ERR_JWKS_TIMEOUT', 'jwks_unavailable'],
  ['ERR_JWKS_INVALID', 'jwks_unavailable'],
  ['ERR_JWK_INVALID', 'jwks_unavailable'],
  ['ERR_JWT_INVALID', 'token_malformed'],
  ['ERR_JWS_INVALID', 'token_malformed'],
  // A generic JOSEError is only raised by the JWKS fetch (non-200, unparsable body).
  ['ERR_JOSE_GENERIC', 'jwks_unavailable'],
]);

/**
 * Maps whatever a verification threw to a denial. jose errors keep the claims set on
 * `payload`, so they are never attached as cause; anything unrecognised still denies.
 */
export function toInvalidToken(err: unknown): MimtrustError {
  if (err instanceof MimtrustError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    return invalidToken(CLAIM_REASONS.get((err as { claim?: unknown }).claim) ?? 'token_claim_invalid');
  }
  if (err instanceof JwksFetchError) return invalidToken('jwks_unavailable', err);
  return invalidToken(CODE_REASONS.get(code) ?? 'token_verification_failed');
}

/** A JWKS could not be fetched; carries the network cause (never token material). */
export class JwksFetchError extends CodedError<'ERR_JWKS_UNAVAILABLE'> {
  readonly code = 'ERR_JWKS_UNAVAILABLE';
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'JwksFetchError';
  }
}
