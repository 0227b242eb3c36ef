import type { TokenVerifier, VerifiedToken } from '../../auth/index.js';
import { singleAuthorization } from '../../auth/index.js';
import { extend, type Authenticated, type Received } from '../exchange.js';

/** The URL a DPoP proof is made for: the client's origin and the path, without the query. */
function requestUrl(r: Received): string | undefined {
  if (r.origin === undefined || !r.raw.url.startsWith('/')) return undefined;
  const q = r.raw.url.search(/[?#]/);
  return r.origin + (q === -1 ? r.raw.url : r.raw.url.slice(0, q));
}

/**
 * Authenticate: one valid access token from a trusted issuer, used as its binding says
 * (plain bearer, DPoP proof, client certificate), or 401.
 */
export function authenticate(deps: { verifier: TokenVerifier }): (r: Received) => Promise<Authenticated> {
  return async (r) => {
    const { token, binding } = await deps.verifier.verifyRequest({
      authorization: singleAuthorization(r.raw.headers.authorization),
      dpop: r.raw.headers.dpop,
      method: r.raw.method,
      url: requestUrl(r),
      certThumbprint: r.certThumbprint,
    });
    return extend(r, { token, binding });
  };
}

/**
 * A token used without a request to prove possession on (a console session): a DPoP-bound
 * one is refused, a certificate-bound one must arrive over mTLS with that very certificate.
 */
export function checkSenderConstraint(deps: { verifier: TokenVerifier }, token: VerifiedToken, certThumbprint: string | undefined): Authenticated['binding'] {
  return deps.verifier.checkBearerUse(token, certThumbprint);
}
