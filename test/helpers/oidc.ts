/**
 * What tests of the city's own issuer share: client keys, the issuer's configuration for a
 * harness, signed client assertions (private_key_jwt) and form posts to its endpoints.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { Harness } from './harness.js';

export const OIDC_ISSUER = 'https://localhost/oidc';

export interface ClientKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function clientKey(): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' } };
}

/** A private_key_jwt client assertion (RFC 7523) for the issuer. */
export async function clientAssertion(clientId: string, key: ClientKey, aud = OIDC_ISSUER): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(aud)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key.privateKey);
}

export async function assertionParams(clientId: string, key: ClientKey): Promise<Record<string, string>> {
  return {
    client_id: clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await clientAssertion(clientId, key),
  };
}

/** POSTs a form to the gateway (the issuer's endpoints take application/x-www-form-urlencoded). */
export function postForm(h: Harness, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return h.call('POST', path, {
    rawBody: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}
