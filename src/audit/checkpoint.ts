/**
 * Signed checkpoints. The signature covers a domain-separated canonical payload, so it
 * cannot be replayed as any other kind of signed statement and every field (including the
 * key id) is bound to it.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../lib/index.js';
import type { AuditSigningKey } from './signing-key.js';
import type { AuditCheckpoint } from './types.js';

const DOMAIN = 'mimtrust-audit-checkpoint/1\n';

function payload(cp: Pick<AuditCheckpoint, 'seq' | 'hash' | 'time' | 'kid'>): Buffer {
  return Buffer.from(DOMAIN + canonicalJson({ seq: cp.seq, hash: cp.hash, time: cp.time, kid: cp.kid }), 'utf8');
}

export function signCheckpoint(key: AuditSigningKey, seq: number, hash: string, time: string): AuditCheckpoint {
  const unsigned = { seq, hash, time, kid: key.kid };
  return { ...unsigned, signature: sign(null, payload(unsigned), key.privateKey).toString('base64url') };
}

/** False for a wrong signature, an unknown key or a malformed checkpoint; never throws. */
export function checkpointSignatureValid(cp: AuditCheckpoint, keys: ReadonlyMap<string, KeyObject>): boolean {
  const key = keys.get(cp.kid);
  if (key === undefined || typeof cp.signature !== 'string') return false;
  try {
    return verify(null, payload(cp), key, Buffer.from(cp.signature, 'base64url'));
  } catch {
    return false;
  }
}
