/**
 * Ed25519 keys for checkpoint signatures, accepted as KeyObjects or JWKs, each named by
 * its RFC 7638 JWK thumbprint (`kid`) so a verifier holding several keys (after a
 * rotation) can pick the one that signed.
 */
import { createHash, createPrivateKey, createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import { MimtrustError } from '../errors/index.js';

export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}

export type AuditKeyInput = KeyObject | JsonWebKey;

function wrongKey(detail: string, cause?: unknown): MimtrustError {
  return new MimtrustError('INTERNAL', detail, { reason: 'audit_key_invalid', cause });
}

function importKey(input: AuditKeyInput): KeyObject {
  let key: KeyObject;
  if (input instanceof KeyObject) {
    key = input;
  } else {
    try {
      key = typeof input.d === 'string' ? createPrivateKey({ key: input, format: 'jwk' }) : createPublicKey({ key: input, format: 'jwk' });
    } catch (err) {
      throw wrongKey('The audit key is not a valid JWK.', err);
    }
  }
  if (key.asymmetricKeyType !== 'ed25519') throw wrongKey('The audit key must be an Ed25519 key.');
  return key;
}

/** RFC 7638 thumbprint (base64url SHA-256) of an Ed25519 public key. */
export function auditKeyId(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  // Required members of an OKP key, in lexicographic order, no whitespace (RFC 7638 §3).
  const members = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(members).digest('base64url');
}

export function toAuditSigningKey(input: AuditKeyInput): AuditSigningKey {
  const privateKey = importKey(input);
  if (privateKey.type !== 'private') throw wrongKey('The audit signing key must be a private key.');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: auditKeyId(publicKey) };
}

/** Public keys by kid. A private key is accepted too: its public half is used. */
export function toAuditVerifyKeys(input: AuditKeyInput | readonly AuditKeyInput[]): ReadonlyMap<string, KeyObject> {
  const list: readonly AuditKeyInput[] = Array.isArray(input) ? input : [input as AuditKeyInput];
  const keys = new Map<string, KeyObject>();
  for (const item of list) {
    const key = importKey(item);
    const publicKey = key.type === 'private' ? createPublicKey(key) : key;
    keys.set(auditKeyId(publicKey), publicKey);
  }
  return keys;
}
