import { describe, it, expect } from 'vitest';
import { statSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { loadOrCreateSelfSignedCertificate } from '../../src/keys/tls-certificate.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('self-signed TLS certificate', () => {
  it('is generated once with the host names as SANs, private key owner-only, then reused', async () => {
    const dir = makeTempDir('keys');
    const first = await loadOrCreateSelfSignedCertificate(dir, ['localhost', '127.0.0.1']);
    expect(first.generated).toBe(true);
    const cert = new X509Certificate(first.cert);
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(statSync(first.keyPath).mode & 0o777).toBe(0o600);
    // The same names, in another order, case and spelling: the same certificate.
    const second = await loadOrCreateSelfSignedCertificate(dir, ['127.0.0.1', 'LOCALHOST']);
    expect(second.generated).toBe(false);
    expect(second.cert).toBe(first.cert);
  });

  it('is made again when tls.hostnames changes, for exactly the new names', async () => {
    const dir = makeTempDir('keys');
    const first = await loadOrCreateSelfSignedCertificate(dir, ['localhost', '::1']);
    const same = await loadOrCreateSelfSignedCertificate(dir, ['0:0:0:0:0:0:0:1', 'localhost']);
    expect(same.generated).toBe(false);
    const added = await loadOrCreateSelfSignedCertificate(dir, ['localhost', '::1', 'gateway.city.example']);
    expect(added.generated).toBe(true);
    expect(added.cert).not.toBe(first.cert);
    expect(new X509Certificate(added.cert).subjectAltName).toContain('DNS:gateway.city.example');
    const removed = await loadOrCreateSelfSignedCertificate(dir, ['gateway.city.example']);
    expect(removed.generated).toBe(true);
    expect(new X509Certificate(removed.cert).subjectAltName).toBe('DNS:gateway.city.example');
  });

  it('replaces a certificate whose key does not match', async () => {
    const dir = makeTempDir('keys');
    const a = await loadOrCreateSelfSignedCertificate(dir, ['localhost']);
    const other = makeTempDir('keys');
    const b = await loadOrCreateSelfSignedCertificate(other, ['localhost']);
    writeFileSync(a.keyPath, b.key);
    const c = await loadOrCreateSelfSignedCertificate(dir, ['localhost']);
    expect(c.generated).toBe(true);
    expect(new X509Certificate(c.cert).checkPrivateKey((await import('node:crypto')).createPrivateKey(c.key))).toBe(true);
  });
});
