/**
 * Reads the facts the gateway needs out of a verified claims set. Claim paths are compiled
 * once per issuer; reading is a few property look-ups. A claim of the wrong type denies
 * the token rather than being guessed at.
 */
import type { JWTPayload } from 'jose';
import type { VerifiedToken } from './types.js';
import { invalidToken } from './token-errors.js';
import { canonicalTenant } from '../ngsi/tenant.js';

/** Reads one claim value, or undefined when the token does not carry it. */
export type ClaimReader = (claims: JWTPayload) => unknown;

/**
 * A claim name with dots is first looked up as written (URI-named claims such as
 * `https://example.org/roles`), then as a path into nested objects.
 */
export function compileClaimPath(path: string): ClaimReader {
  const segments = path.split('.');
  if (path === '' || segments.some((s) => s === '')) {
    throw new TypeError(`claim path "${path}" has an empty segment`);
  }
  if (segments.length === 1) return (claims) => (Object.hasOwn(claims, path) ? claims[path] : undefined);
  return (claims) => {
    if (Object.hasOwn(claims, path)) return claims[path];
    let node: unknown = claims;
    for (const segment of segments) {
      if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
    return node;
  };
}

/** The most consent records one token may rest on. */
export const MAX_CONSENTS = 64;

/** Roles and tenants: issuers write them separated by spaces or by commas. */
export const LIST_SEPARATORS = /[\s,]+/;
/** OAuth scope: space separated; a comma is a legal character inside a scope token (RFC 6749 §3.3). */
export const SCOPE_SEPARATORS = /\s+/;

/**
 * A list claim is an array of strings or one string split on `separators`.
 * Missing gives an empty list; any other shape is refused.
 */
export function readStringList(value: unknown, separators: RegExp = LIST_SEPARATORS): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(separators).filter((s) => s !== '');
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) return value.filter((s) => s !== '');
  throw invalidToken('token_claim_invalid');
}

function optionalString(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  throw invalidToken('token_claim_invalid');
}

/**
 * A party named by a claim: a non-empty string, or a list holding exactly one (identity
 * services that allow several write lists, such as Keycloak's `organization`). A list of
 * several is refused, not narrowed to one: a rule naming any of them must see them all.
 */
export function readPartyClaim(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const one = Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value;
  if (typeof one === 'string' && one !== '') return one;
  throw invalidToken('token_claim_invalid');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export interface ClaimReaders {
  roles: ClaimReader;
  purpose: ClaimReader;
  /** Absent in readers made before consents were read: the token then rests on none. */
  consents?: ClaimReader;
  tenants?: ClaimReader;
  organisation?: ClaimReader;
  recipient?: ClaimReader;
  /** Roles the issuer may grant; undefined: all. */
  acceptRoles?: ReadonlySet<string>;
  /** Callers may declare a recipient per request. */
  recipientHeader?: boolean;
  /** Plain bearer tokens of this issuer are refused. */
  requireSenderConstrained?: boolean;
}

/** Confirmation methods the gateway checks: RFC 9449 key thumbprint, RFC 8705 certificate thumbprint. */
const CHECKED_CONFIRMATIONS: ReadonlySet<string> = new Set(['jkt', 'x5t#S256']);

/**
 * Builds the VerifiedToken for claims jose has already checked (signature, iss, aud, exp).
 * The result is deeply frozen because the cache hands the same object to every request
 * presenting that token.
 */
export function toVerifiedToken(claims: JWTPayload, issuer: string, readers: ClaimReaders): VerifiedToken {
  const exp = claims.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw invalidToken('token_claim_invalid');
  const claimed = readStringList(readers.roles(claims));
  const accept = readers.acceptRoles;
  const roles = accept === undefined ? claimed : claimed.filter((r) => accept.has(r));
  const token: VerifiedToken = { issuer, roles, exp, claims };

  const sub = optionalString(claims.sub);
  if (sub !== undefined) token.sub = sub;
  const clientId = optionalString(claims['client_id']) ?? optionalString(claims['azp']);
  if (clientId !== undefined) token.clientId = clientId;
  if (readers.tenants) {
    // An absent claim leaves the token unrestricted by tenant (roles still apply); a present
    // one, even empty, restricts it to what it lists.
    const value = readers.tenants(claims);
    // Tenants are compared in the one form requests are decided on.
    if (value !== undefined) token.tenants = readStringList(value).map(canonicalTenant);
  }
  const scope = claims['scope'] ?? claims['scp'];
  if (scope !== undefined) token.scope = readStringList(scope, SCOPE_SEPARATORS);
  const purpose = optionalString(readers.purpose(claims));
  if (purpose !== undefined) token.purpose = purpose;
  if (readers.consents) {
    const consents = readStringList(readers.consents(claims));
    // A token resting on more consents than a person could give at once is not one an issuer made.
    if (consents.length > MAX_CONSENTS) throw invalidToken('token_claim_invalid');
    if (consents.length > 0) token.consents = consents;
  }
  const organisation = readers.organisation && readPartyClaim(readers.organisation(claims));
  if (organisation !== undefined) token.organisation = organisation;
  const recipient = readers.recipient && readPartyClaim(readers.recipient(claims));
  if (recipient !== undefined) token.recipient = recipient;
  if (readers.recipientHeader === true) token.recipientHeader = true;
  const cnf = claims['cnf'];
  if (cnf !== undefined) {
    // A confirmation claim we cannot read would silently drop the sender constraint.
    if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) throw invalidToken('token_claim_invalid');
    // Only a key thumbprint (DPoP) and a certificate binding can be checked; any other member
    // (`jwk`, `jku`, `kid`, or one not yet defined) would turn a bound token into a bearer token.
    for (const member of Object.keys(cnf)) {
      if (!CHECKED_CONFIRMATIONS.has(member)) throw invalidToken('token_confirmation_unsupported');
    }
    for (const member of CHECKED_CONFIRMATIONS) {
      const value = (cnf as Record<string, unknown>)[member];
      if (Object.hasOwn(cnf, member) && (typeof value !== 'string' || value === '')) throw invalidToken('token_claim_invalid');
    }
    token.cnf = cnf as Record<string, unknown>;
  }
  if (readers.requireSenderConstrained === true) token.senderConstrained = 'required';
  return deepFreeze(token);
}
