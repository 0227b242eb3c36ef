/**
 * The `WWW-Authenticate` value of a 401: the Bearer scheme with mimtrust's realm (RFC 6750
 * §3), or the DPoP scheme with the proof algorithms accepted (RFC 9449 §7.1), and, when the
 * request carried something wrong, the error code and a fixed description. Descriptions
 * are mimtrust's own sentences, never request input; quotes and backslashes are escaped
 * anyway so the header stays well formed.
 */
export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';
export type DpopError = BearerError | 'invalid_dpop_proof';

const REALM = 'Bearer realm="mimtrust"';
const DPOP_REALM = 'DPoP realm="mimtrust"';

const quoted = (text: string): string => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

function challenge(realm: string, error?: string, description?: string): string[] {
  const parts = [realm];
  if (error !== undefined) parts.push(`error=${quoted(error)}`);
  if (error !== undefined && description !== undefined) parts.push(`error_description=${quoted(description)}`);
  return parts;
}

export function bearerChallenge(error?: BearerError, description?: string): string {
  return challenge(REALM, error, description).join(', ');
}

/** `algs` lists the proof algorithms the gateway accepts, so a client can pick one. */
export function dpopChallenge(algorithms: Iterable<string>, error?: DpopError, description?: string): string {
  return [...challenge(DPOP_REALM, error, description), `algs=${quoted([...algorithms].join(' '))}`].join(', ');
}
