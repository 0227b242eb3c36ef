/** Takes the access token out of an `Authorization` header (RFC 6750 §2.1, RFC 9449 §7.1). */
import { MimtrustError } from '../errors/index.js';
import { tokenMissing } from './token-errors.js';

/** An access token and the scheme it came with. */
export interface Presented {
  scheme: 'bearer' | 'dpop';
  token: string;
}

const SCHEMES = ['bearer', 'dpop'] as const;

/**
 * Whether `header` starts with `scheme` (lower-case ASCII letters) in any case. Compared
 * code by code: setting bit 0x20 folds an ASCII capital onto its small letter and maps no
 * other code onto a small letter, so this is `slice().toLowerCase() ===` without the copies.
 */
function startsWithScheme(header: string, scheme: string): boolean {
  for (let i = 0; i < scheme.length; i++) {
    if ((header.charCodeAt(i) | 0x20) !== scheme.charCodeAt(i)) return false;
  }
  return true;
}

/** The token after `<scheme> ` (one or more spaces), or undefined when the header is not of that scheme. */
function tokenAfter(header: string, scheme: string): string | undefined {
  if (header.length <= scheme.length + 1) return undefined;
  if (!startsWithScheme(header, scheme) || header.charCodeAt(scheme.length) !== 0x20) return undefined;
  let start = scheme.length + 1;
  while (header.charCodeAt(start) === 0x20) start++;
  const token = header.slice(start);
  if (token === '' || /\s/.test(token)) throw tokenMissing();
  return token;
}

/**
 * The token of `Bearer <token>` or `DPoP <token>` (scheme case-insensitive, one or more
 * spaces, a single token). Anything else is a missing token.
 */
export function readAuthorization(header: string | undefined): Presented {
  if (header !== undefined) {
    for (const scheme of SCHEMES) {
      const token = tokenAfter(header, scheme);
      if (token !== undefined) return { scheme, token };
    }
  }
  throw tokenMissing();
}

/** The token of `Bearer <token>`; any other scheme is a missing token. */
export function extractBearerToken(header: string | undefined): string {
  const token = header === undefined ? undefined : tokenAfter(header, 'bearer');
  if (token === undefined) throw tokenMissing();
  return token;
}

/** The one `Authorization` header value; two or more is a malformed request (400), never a guess at which counts. */
export function singleAuthorization(header: string | string[] | undefined): string | undefined {
  if (!Array.isArray(header)) return header;
  throw new MimtrustError('BAD_REQUEST', 'Exactly one Authorization header is allowed.', { reason: 'authorization_repeated' });
}
