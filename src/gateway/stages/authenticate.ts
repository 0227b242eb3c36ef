import { MimtrustError } from '../../errors/index.js';
import { bearerChallenge, singleAuthorization, type TokenVerifier, type VerifiedToken } from '../../auth/index.js';
import { extend, type Authenticated, type Received } from '../exchange.js';

/** Authenticate: one valid bearer access token from a trusted issuer, or 401. */
export function authenticate(deps: { verifier: TokenVerifier }): (r: Received) => Promise<Authenticated> {
  return async (r) => {
    const token = await deps.verifier.verify(singleAuthorization(r.raw.headers.authorization));
    checkSenderConstraint(token, r.certThumbprint);
    return extend(r, { token });
  };
}

/**
 * A sender-constrained token is only good from its holder: bound to a client certificate
 * (RFC 8705 `cnf.x5t#S256`) it must arrive over mTLS with that very certificate. Any other
 * confirmation method is refused when the token is verified.
 */
export function checkSenderConstraint(token: VerifiedToken, certThumbprint: string | undefined): void {
  const bound = token.cnf?.['x5t#S256'];
  if (bound !== undefined && bound !== certThumbprint) {
    throw new MimtrustError('INVALID_TOKEN', 'The access token is bound to a client certificate that this connection did not present.', {
      reason: 'token_binding_mismatch',
      headers: { 'www-authenticate': bearerChallenge('invalid_token', 'certificate binding mismatch') },
    });
  }
}
