/**
 * The `WWW-Authenticate` value of a 401 (RFC 6750 §3): the Bearer scheme with mimtrust's
 * realm, and, when the request carried something wrong, the error code and a fixed
 * description. Descriptions are mimtrust's own sentences, never request input; quotes and
 * backslashes are escaped anyway so the header stays well formed.
 */
export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

const REALM = 'Bearer realm="mimtrust"';

const quoted = (text: string): string => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

export function bearerChallenge(error?: BearerError, description?: string): string {
  if (error === undefined) return REALM;
  const parts = [REALM, `error=${quoted(error)}`];
  if (description !== undefined) parts.push(`error_description=${quoted(description)}`);
  return parts.join(', ');
}
