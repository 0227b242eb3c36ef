import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { SigningKey } from '../keys/index.js';

export interface LocalTokenRequest {
  sub: string;
  clientId?: string;
  roles: string[];
  tenants?: string[];
  purpose?: string;
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
