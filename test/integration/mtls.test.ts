import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { startHarness, token, type Harness } from '../helpers/harness.js';
import { createTestCa, type Issued, type TestCa } from '../helpers/pki.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const PATH = '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:1';
let h: Harness;
let ca: TestCa;
let alice: Issued;
let mallory: Issued;

beforeAll(async () => {
  ca = await createTestCa();
  alice = await ca.issue('alice-app');
  mallory = await ca.issue('mallory-app');
  const dir = makeTempDir('ca');
  writeFileSync(join(dir, 'ca.pem'), ca.cert);
  h = await startHarness({ tls: { clientCa: join(dir, 'ca.pem'), requireClientCert: true } });
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot' });
});
afterAll(async () => h?.close());

async function callWith(client: Issued | undefined, t: string): Promise<number> {
  const agent = new Agent({ connect: { ca: h.ca, servername: 'localhost', ...(client ? { cert: client.cert, key: client.key } : {}) } });
  try {
    const res = await agent.request({ origin: h.gateway.url.replace('127.0.0.1', 'localhost'), path: PATH, method: 'GET', headers: { authorization: `Bearer ${t}` } });
    await res.body.dump();
    return res.statusCode;
  } finally {
    await agent.close();
  }
}

describe('mutual TLS', () => {
  it('refuses a connection without a client certificate when one is required', async () => {
    await expect(callWith(undefined, await token(h.issuer))).rejects.toThrow();
  });

  it('accepts a certificate from the configured CA, and refuses one from elsewhere', async () => {
    expect(await callWith(alice, await token(h.issuer))).toBe(200);
    const stranger = await (await createTestCa()).issue('stranger');
    await expect(callWith(stranger, await token(h.issuer))).rejects.toThrow();
  });

  it('accepts a certificate-bound token only over a connection with that certificate (RFC 8705)', async () => {
    const bound = await token(h.issuer, { extra: { cnf: { 'x5t#S256': alice.thumbprint } } });
    expect(await callWith(alice, bound)).toBe(200);
    expect(await callWith(mallory, bound)).toBe(401);
  });

  it('refuses a DPoP-bound token presented as a bearer token, client certificate or not', async () => {
    expect(await callWith(alice, await token(h.issuer, { extra: { cnf: { jkt: 'abc' } } }))).toBe(401);
  });
});
