import { generateKeyPair, exportJWK, importJWK, calculateJwkThumbprint, type JWK, type CryptoKey } from 'jose';
import { join } from 'node:path';
import { ensureDir, readIfExists, writePublicFile, writeSecretFile } from './files.js';

export interface SigningKey {
  alg: 'ES256';
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * An ES256 signing key kept in `keysDir/<name>.jwk.json` (private, owner-only) with its
 * public half beside it; generated on first use. The kid is the RFC 7638 thumbprint, so a
 * rotated key never collides with an old one in a JWKS.
 */
export async function loadOrCreateSigningKey(keysDir: string, name: string): Promise<SigningKey> {
  const privPath = join(keysDir, `${name}.jwk.json`);
  const pubPath = join(keysDir, `${name}.pub.jwk.json`);
  const existing = readIfExists(privPath);
  let privateJwk: JWK;
  if (existing) {
    privateJwk = JSON.parse(existing) as JWK;
  } else {
    ensureDir(keysDir);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    privateJwk = await exportJWK(privateKey);
    privateJwk.kid = await calculateJwkThumbprint(privateJwk);
    privateJwk.alg = 'ES256';
    privateJwk.use = 'sig';
    writeSecretFile(privPath, JSON.stringify(privateJwk, null, 2) + '\n');
  }
  const { d: _d, ...publicJwk } = privateJwk;
  if (!readIfExists(pubPath)) writePublicFile(pubPath, JSON.stringify(publicJwk, null, 2) + '\n');
  const privateKey = (await importJWK(privateJwk, 'ES256')) as CryptoKey;
  return { alg: 'ES256', kid: privateJwk.kid ?? (await calculateJwkThumbprint(privateJwk)), privateKey, publicJwk };
}
