/** DPoP proofs (RFC 9449) as a client makes them, and as an attacker might bend them. */
import { randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, type CryptoKey, type JWK } from 'jose';
import { accessTokenHash } from '../../src/auth/index.js';

export interface ProofKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface ProofClaims {
  htm: string;
  htu: string;
  /** The access token the proof goes with (`ath`); omitted at the token endpoint. */
  accessToken?: string;
  iat?: number;
  jti?: string;
  /** Members set as given, replacing the ones above. */
  extra?: Record<string, unknown>;
}

/** The public part of the key, as it goes into the proof's `jwk` header. */
export function publicPart(jwk: JWK): JWK {
  const { kty, crv, x, y, n, e } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined));
}

export function thumbprint(key: ProofKey): Promise<string> {
  return calculateJwkThumbprint(publicPart(key.publicJwk), 'sha256');
}

export async function dpopProof(key: ProofKey, c: ProofClaims, header: Record<string, unknown> = {}): Promise<string> {
  const claims: Record<string, unknown> = {
    htm: c.htm, htu: c.htu, jti: c.jti ?? randomUUID(), iat: c.iat ?? Math.floor(Date.now() / 1000),
    ...(c.accessToken !== undefined ? { ath: accessTokenHash(c.accessToken) } : {}),
    ...c.extra,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicPart(key.publicJwk), ...header })
    .sign(key.privateKey);
}

/** A JWS over exactly the given header and claims with a made-up signature (alg none, HS256 with no key). */
export function unsignedProof(header: Record<string, unknown>, claims: Record<string, unknown>, signature = 'c2lnbmF0dXJl'): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part(header)}.${part(claims)}.${signature}`;
}
