/**
 * The audit signing key on disk: `audit-signing.jwk.json` (private, mode 0600) and
 * `audit-signing.pub.jwk.json` (public, for verifiers), generated on first use. The
 * private file is created atomically and exclusively, so two processes starting at once
 * end up with the same key.
 */
import { generateKeyPairSync, createPrivateKey, createPublicKey, type KeyObject, type JsonWebKey } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { MimtrustError } from '../errors/index.js';
import { auditKeyId } from './signing-key.js';

export const AUDIT_PRIVATE_KEY_FILE = 'audit-signing.jwk.json';
export const AUDIT_PUBLIC_KEY_FILE = 'audit-signing.pub.jwk.json';

export interface AuditKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 7638 thumbprint of the public key; checkpoints name their key by it. */
  kid: string;
}

function keyError(detail: string, reason: string, cause?: unknown): MimtrustError {
  return new MimtrustError('INTERNAL', detail, { reason, cause });
}

function publicJwk(publicKey: KeyObject, kid: string): JsonWebKey {
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' };
}

/** Writes the private key file exclusively; false when another process already created it. */
function createPrivateFile(path: string, privateKey: KeyObject, kid: string): boolean {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid, alg: 'EdDSA' }) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** The stored private key, or undefined when there is no key file yet. */
function readPrivate(path: string): KeyObject | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw keyError('The audit signing key file must be readable by its owner only (chmod 600).', 'audit_key_permissions');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: JSON.parse(readFileSync(path, 'utf8')) as JsonWebKey, format: 'jwk' });
  } catch (err) {
    throw keyError('The audit signing key file is not a valid JWK.', 'audit_key_invalid', err);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw keyError('The audit signing key must be an Ed25519 key.', 'audit_key_invalid');
  return key;
}

/** Keeps the public file in step with the private key (rewritten if missing or stale). */
function ensurePublicFile(path: string, publicKey: KeyObject, kid: string): void {
  try {
    const existing = JSON.parse(readFileSync(path, 'utf8')) as JsonWebKey;
    if (auditKeyId(createPublicKey({ key: existing, format: 'jwk' })) === kid) return;
  } catch {
    // Missing or unreadable: written below.
  }
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(publicJwk(publicKey, kid), null, 2) + '\n', { mode: 0o644 });
  renameSync(tmp, path);
}

export function loadOrCreateAuditKey(dir: string): AuditKeyPair {
  const privatePath = join(dir, AUDIT_PRIVATE_KEY_FILE);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    let privateKey = readPrivate(privatePath);
    if (privateKey === undefined) {
      const generated = generateKeyPairSync('ed25519').privateKey;
      // Losing the race to another process means using the key it wrote.
      privateKey = createPrivateFile(privatePath, generated, auditKeyId(createPublicKey(generated))) ? generated : readPrivate(privatePath);
      if (privateKey === undefined) throw keyError('The audit signing key file disappeared while being created.', 'audit_key_unavailable');
    }
    const publicKey = createPublicKey(privateKey);
    const kid = auditKeyId(publicKey);
    ensurePublicFile(join(dir, AUDIT_PUBLIC_KEY_FILE), publicKey, kid);
    return { privateKey, publicKey, kid };
  } catch (err) {
    if (err instanceof MimtrustError) throw err;
    throw keyError('The audit signing key could not be loaded or created.', 'audit_key_unavailable', err);
  }
}

