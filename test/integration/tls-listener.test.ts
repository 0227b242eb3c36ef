/**
 * The listener's TLS, attacked and renewed over real connections: a client that offers
 * only CBC, CCM8, RSA key transport or finite-field DHE suites gets no session; ECDHE
 * with AES-GCM or ChaCha20 and TLS 1.3 do. A certificate renewed on disk is served on the
 * next connection without a restart; a renewal whose key does not match is refused and the
 * certificate in use stays.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { connect, type PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateSelfSignedCertificate } from '../../src/keys/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let h: Harness;
let live: { cert: string; key: string };
let first: { cert: string; key: string };
let second: { cert: string; key: string };

beforeAll(async () => {
  // The certificate the gateway generated for itself is renewed in place, as an operator
  // (or certbot, for configured tls.cert / tls.key files: the same watch) would.
  h = await startHarness();
  live = { cert: join(h.dir, 'keys', 'tls-cert.pem'), key: join(h.dir, 'keys', 'tls-key.pem') };
  const keep = makeTempDir('tls-first');
  first = { cert: join(keep, 'cert.pem'), key: join(keep, 'key.pem') };
  copyFileSync(live.cert, first.cert);
  copyFileSync(live.key, first.key);
  const b = await loadOrCreateSelfSignedCertificate(makeTempDir('tls-second'), ['localhost', '127.0.0.1']);
  second = { cert: b.certPath, key: b.keyPath };
});
afterAll(async () => {
  await h?.close();
});

function port(): number {
  return Number(new URL(h.gateway.url).port);
}

/** Completes a handshake with the given client settings; resolves with the suite and certificate, or the error. */
function handshake(opts: { ciphers?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3' }): Promise<{ ok: true; cipher: string; cert: PeerCertificate } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: port(), servername: 'localhost', rejectUnauthorized: false, ...opts });
    socket.once('secureConnect', () => {
      const result = { ok: true as const, cipher: socket.getCipher().name, cert: socket.getPeerCertificate() };
      socket.end();
      resolve(result);
    });
    socket.once('error', (err) => resolve({ ok: false, error: err.message }));
  });
}

const fingerprintOf = (path: string) => new X509Certificate(readFileSync(path)).fingerprint256;

describe('what the listener negotiates', () => {
  it('refuses clients that offer only CBC, CCM, RSA key transport or DHE suites', async () => {
    for (const ciphers of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-CCM8', 'ECDHE-ECDSA-AES128-CCM', 'AES128-GCM-SHA256', 'DHE-RSA-AES128-GCM-SHA256']) {
      const r = await handshake({ ciphers, maxVersion: 'TLSv1.2' });
      expect(r.ok, ciphers).toBe(false);
    }
  });

  it('agrees on ECDHE with AES-GCM or ChaCha20-Poly1305 in TLS 1.2, and on TLS 1.3', async () => {
    for (const ciphers of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305']) {
      const r = await handshake({ ciphers, maxVersion: 'TLSv1.2' });
      expect(r.ok && r.cipher, ciphers).toBe(ciphers);
    }
    const modern = await handshake({});
    expect(modern.ok && modern.cipher).toMatch(/^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/);
  });
});

describe('certificate renewal', () => {
  it('serves a renewed certificate on the next connection, without a restart', async () => {
    const before = await handshake({});
    expect(before.ok && before.cert.fingerprint256).toBe(fingerprintOf(first.cert));
    const reloaded = h.nextLog(/^TLS certificate reloaded/);
    writeFileSync(live.key, readFileSync(second.key));
    writeFileSync(live.cert, readFileSync(second.cert));
    await reloaded;
    const after = await handshake({});
    expect(after.ok && after.cert.fingerprint256).toBe(fingerprintOf(second.cert));
  });

  it('keeps the certificate in use when the renewal does not hold together', async () => {
    const refused = h.nextLog(/^TLS certificate not reloaded/);
    // The first certificate with the second key: a half-done renewal.
    writeFileSync(live.cert, readFileSync(first.cert));
    const line = await refused;
    expect(line).toMatch(/the private key does not match the certificate; the previous certificate stays in use/);
    const now = await handshake({});
    expect(now.ok && now.cert.fingerprint256).toBe(fingerprintOf(second.cert));
  });
});
