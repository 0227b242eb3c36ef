import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { SigningKey } from '../keys/index.js';

/** Where local tokens carry the organisation and the recipient; the gateway reads them there. */
export const LOCAL_ORGANISATION_CLAIM = 'org_id';
export const LOCAL_RECIPIENT_CLAIM = 'recipient';
export const LOCAL_CONSENT_CLAIM = 'consents';

export interface LocalTokenRequest {
  sub: string;
  clientId?: string;
  roles: string[];
  tenants?: string[];
  purpose?: string;
  /** The caller's organisation (a DID or any id contracts name as a party). */
  organisation?: string;
  /** The recipient the token declares: a party of the local issuer. */
  recipient?: string;
  /** Ids of the consent records the token rests on. */
  consents?: string[];
  /** RFC 7638 thumbprint of a DPoP key: the token is then DPoP-bound (`cnf.jkt`). */
  dpopJkt?: string;
  /** OAuth scopes, space separated (`consents` for the citizen's own consent API). */
  scope?: string;
  /** Lifetime in seconds. */
  ttlSec: number;
}

export interface LocalIssuerSettings {
  issuer: string;
  audience: string;
}

/**
 * An RFC 9068 access token from mimtrust's local issuer: the embedded issuer a fresh
 * installation trusts, so that operators can try the gateway and scripts can call it
 * before an OIDC provider is wired in.
 */
export async function issueLocalToken(key: SigningKey, settings: LocalIssuerSettings, req: LocalTokenRequest): Promise<string> {
  const claims: Record<string, unknown> = { roles: req.roles, client_id: req.clientId ?? req.sub };
  if (req.tenants) claims.tenants = req.tenants;
  if (req.purpose) claims.purpose = req.purpose;
  if (req.organisation) claims[LOCAL_ORGANISATION_CLAIM] = req.organisation;
  if (req.recipient) claims[LOCAL_RECIPIENT_CLAIM] = req.recipient;
  if (req.consents && req.consents.length > 0) claims[LOCAL_CONSENT_CLAIM] = req.consents;
  if (req.dpopJkt) claims.cnf = { jkt: req.dpopJkt };
  if (req.scope) claims.scope = req.scope;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(req.sub)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(Math.floor(Date.now() / 1000) + req.ttlSec)
    .sign(key.privateKey);
}
