/**
 * A grant that depends on the store every instance shares (used-up codes, login
 * challenges) and cannot reach it, or finds it full, refuses as the token endpoint does
 * when it cannot serve for now: 503 `temporarily_unavailable`, the reason's code first in
 * the description, and when to try again. Never `invalid_grant`: nothing was wrong with
 * what the client sent.
 */
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import { MimtrustError } from '../errors/index.js';

/** The refusal to throw for `err` when it is the store's (503); undefined for any other error. */
export function grantUnavailable(ctx: TokenEndpointGrantContext, err: unknown): Error | undefined {
  if (!(err instanceof MimtrustError) || err.status !== 503) return undefined;
  const refusal = new errors.CustomOIDCProviderError('temporarily_unavailable', `${err.reason}: ${err.message}`);
  Object.assign(refusal, { status: err.status, statusCode: err.status });
  const retryAfter = err.headers['retry-after'];
  if (retryAfter !== undefined) ctx.set('retry-after', retryAfter);
  return refusal;
}
