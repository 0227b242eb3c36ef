import type { TokenVerifier, VerifiedToken } from '../../auth/index.js';
import { singleAuthorization } from '../../auth/index.js';
import { extend, type Authenticated, type Received } from '../exchange.js';

/** The URL a DPoP proof is made for: the client's origin and the path, without the query. */
function requestUrl(r: Received): string | undefined {
  const url = r.raw.url;
  if (r.origin === undefined || !url.startsWith('/')) return undefined;
  // Two indexOf calls rather than a regular expression: this runs for every request, DPoP or not.
  const q = url.indexOf('?');
  const h = url.indexOf('#');
  const end = h === -1 || (q !== -1 && q < h) ? q : h;
  return r.origin + (end === -1 ? url : url.slice(0, end));
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
