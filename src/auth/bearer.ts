/** Takes the access token out of an `Authorization` header (RFC 6750 §2.1). */
import { MimtrustError } from '../errors/index.js';
import { tokenMissing } from './token-errors.js';

const SCHEME = 'bearer';

/**
 * Returns the token of `Bearer <token>` (scheme case-insensitive, one or more spaces, a
 * single token). Anything else, including another scheme, is a missing token.
 */
export function extractBearerToken(header: string | undefined): string {
  if (header === undefined || header.length <= SCHEME.length + 1) throw tokenMissing();
  if (header.slice(0, SCHEME.length).toLowerCase() !== SCHEME || header.charCodeAt(SCHEME.length) !== 0x20) {
    throw tokenMissing();
  }
  let start = SCHEME.length + 1;
  while (header.charCodeAt(start) === 0x20) start++;
  const token = header.slice(start);
  if (token === '' || /\s/.test(token)) throw tokenMissing();
  return token;
}

/** The one `Authorization` header value; two or more is a malformed request (400), never a guess at which counts. */
export function singleAuthorization(header: string | string[] | undefined): string | undefined {
  if (!Array.isArray(header)) return header;
  throw new MimtrustError('BAD_REQUEST', 'Exactly one Authorization header is allowed.', { reason: 'authorization_repeated' });
}
