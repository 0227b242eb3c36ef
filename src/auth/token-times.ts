/**
 * Time checks jose leaves to the caller: a token issued in the future (beyond the clock
 * skew) is refused, and so is one valid for longer than the issuer's maximum lifetime,
 * measured from `iat` (or from now when the token has none), so a stolen long-lived token
 * is not good for weeks.
 */
import type { JWTPayload } from 'jose';
import { invalidToken } from './token-errors.js';

export interface TokenTimeLimits {
  clockToleranceSec: number;
  maxLifetimeSec: number;
}

/** Throws INVALID_TOKEN for a future `iat` or too long a lifetime. `nowSec` is seconds since the epoch. */
export function checkTokenTimes(claims: JWTPayload, nowSec: number, limits: TokenTimeLimits): void {
  const { iat, exp } = claims;
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) throw invalidToken('token_claim_invalid');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw invalidToken('token_claim_invalid');
  if (iat !== undefined && iat > nowSec + limits.clockToleranceSec) throw invalidToken('token_issued_in_future');
  const from = iat ?? nowSec;
  if (exp - from > limits.maxLifetimeSec) throw invalidToken('token_lifetime_too_long');
}
