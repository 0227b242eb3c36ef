import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_PRIVATE_KEY_FILE, AUDIT_PUBLIC_KEY_FILE, auditKeyId, loadOrCreateAuditKey, toAuditSigningKey, toAuditVerifyKeys } from '../../src/audit/index.js';
import { MimtrustError } from '../../src/errors/index.js';
import { ed25519, tempDir } from './audit-fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('loadOrCreateAuditKey', () => {
  it('generates an Ed25519 key once, private file 0600, public file beside it', () => {
    const keysDir = join(dir, 'keys');
    const first = loadOrCreateAuditKey(keysDir);
    expect(first.privateKey.asymmetricKeyType).toBe('ed25519');
    const privatePath = join(keysDir, AUDIT_PRIVATE_KEY_FILE);
    if (process.platform !== 'win32') expect(statSync(privatePath).mode & 0o777).toBe(0o600);
    const pub = JSON.parse(readFileSync(join(keysDir, AUDIT_PUBLIC_KEY_FILE), 'utf8')) as Record<string, string>;
    expect(pub).not.toHaveProperty('d');
    expect(pub).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: first.kid, alg: 'EdDSA' });

    const second = loadOrCreateAuditKey(keysDir);
    expect(second.kid).toBe(first.kid);
    const sig = sign(null, Buffer.from('x'), second.privateKey);
    expect(verify(null, Buffer.from('x'), createPublicKey({ key: pub, format: 'jwk' }), sig)).toBe(true);
  });

  it('rewrites a missing or stale public file from the private key', () => {
    const pair = loadOrCreateAuditKey(dir);
    const other = ed25519().publicKey.export({ format: 'jwk' });
    const pubPath = join(dir, AUDIT_PUBLIC_KEY_FILE);
    writeFileSync(pubPath, JSON.stringify(other));
    loadOrCreateAuditKey(dir);
    expect(JSON.parse(readFileSync(pubPath, 'utf8'))).toMatchObject({ kid: pair.kid });
  });

  it.skipIf(process.platform === 'win32')('refuses a private key file others can read', () => {
    loadOrCreateAuditKey(dir);
    chmodSync(join(dir, AUDIT_PRIVATE_KEY_FILE), 0o644);
    expect(() => loadOrCreateAuditKey(dir)).toThrow(expect.objectContaining({ reason: 'audit_key_permissions' }));
  });

  it('refuses a private key file that is not an Ed25519 JWK', () => {
    loadOrCreateAuditKey(dir);
    const path = join(dir, AUDIT_PRIVATE_KEY_FILE);
    writeFileSync(path, '{"kty":"oct","k":"AAAA"}');
    expect(() => loadOrCreateAuditKey(dir)).toThrow(MimtrustError);
  });
});

describe('signing key helpers', () => {
  it('names a key by its RFC 7638 thumbprint, the same from KeyObject or JWK', () => {
    const { privateKey, publicKey } = ed25519();
    const jwk = publicKey.export({ format: 'jwk' });
    const manual = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`).digest('base64url');
    expect(auditKeyId(publicKey)).toBe(manual);
    expect(toAuditSigningKey(privateKey.export({ format: 'jwk' })).kid).toBe(manual);
    expect([...toAuditVerifyKeys([jwk, privateKey]).keys()]).toEqual([manual]);
    expect(() => toAuditSigningKey(publicKey)).toThrow(expect.objectContaining({ reason: 'audit_key_invalid' }));
    expect(() => toAuditVerifyKeys({ kty: 'EC', crv: 'P-256' })).toThrow(MimtrustError);
  });
});
