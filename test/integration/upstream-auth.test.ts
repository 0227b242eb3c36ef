import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, token, type Harness } from '../helpers/harness.js';
import { CLIENT_ID, startTokenEndpoint, type TokenEndpoint } from '../helpers/token-endpoint.js';

const E = '/ngsi-ld/v1/entities';

describe('the gateway presents its own OAuth2 client-credentials token to the broker', () => {
  let h: Harness;
  let ep: TokenEndpoint;
  let secretDir: string;
  beforeAll(async () => {
    ep = await startTokenEndpoint();
    secretDir = mkdtempSync(join(tmpdir(), 'mimtrust-secret-'));
    writeFileSync(join(secretDir, 'client-secret'), 's3cret:with spaces\n');
    h = await startHarness({
      enforceContracts: false,
      upstream: {
        auth: { clientCredentials: { tokenUrl: ep.url, clientId: CLIENT_ID, clientSecretFile: join(secretDir, 'client-secret') } },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await ep?.close();
    rmSync(secretDir, { recursive: true, force: true });
  });

  it('replaces the caller credential with the gateway token, fetched once for many requests', async () => {
    const caller = await token(h.issuer, { roles: ['operator'] });
    const before = h.broker.requests.length;
    const results = await Promise.all([1, 2, 3].map(() => h.call('GET', `${E}?type=ParkingSpot`, { token: caller })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const got = h.broker.requests.slice(before);
    expect(got).toHaveLength(3);
    for (const r of got) {
      expect(r.headers.authorization).toBe('Bearer broker-token-1');
      expect(JSON.stringify(r.headers)).not.toContain(caller);
    }
    expect(ep.requests).toHaveLength(1);
  });

  it('refuses with 503 and sends nothing to the broker when no token can be had', async () => {
    // A gateway that holds no token yet, in front of a token endpoint that fails.
    ep.failWith = { status: 500, body: '{"error":"server_error"}' };
    const fresh = await startHarness({
      enforceContracts: false,
      upstream: { auth: { clientCredentials: { tokenUrl: ep.url, clientId: CLIENT_ID, clientSecret: 'whatever' } } },
    });
    try {
      const res = await fresh.call('GET', `${E}?type=ParkingSpot`, { token: await token(fresh.issuer, { roles: ['operator'] }) });
      expect(res.status).toBe(503);
      expect(res.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(res.text).not.toContain('whatever');
      expect(fresh.broker.requests).toHaveLength(0);
    } finally {
      ep.failWith = undefined;
      await fresh.close();
    }
  });
});

describe('the gateway presents a configured static header to the broker', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mimtrust-secret-'));
    writeFileSync(join(dir, 'broker-auth'), 'Basic Y2Fzc2lvcGVpYTpjYXNzaW9wZWlh\n');
    h = await startHarness({
      enforceContracts: false,
      upstream: { auth: { header: { name: 'Authorization', valueFile: join(dir, 'broker-auth') } } },
    });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the configured Basic credential on reads and writes, never the caller token', async () => {
    const caller = await token(h.issuer, { roles: ['operator'] });
    const before = h.broker.requests.length;
    expect((await h.call('POST', E, { token: caller, body: { id: 'urn:ngsi-ld:ParkingSpot:auth-1', type: 'ParkingSpot' } })).status).toBe(201);
    expect((await h.call('GET', `${E}/urn:ngsi-ld:ParkingSpot:auth-1`, { token: caller })).status).toBe(200);
    const got = h.broker.requests.slice(before);
    expect(got.map((r) => r.headers.authorization)).toEqual(['Basic Y2Fzc2lvcGVpYTpjYXNzaW9wZWlh', 'Basic Y2Fzc2lvcGVpYTpjYXNzaW9wZWlh']);
  });

  it('does not let a caller header stand in for the credential', async () => {
    const caller = await token(h.issuer, { roles: ['operator'] });
    const before = h.broker.requests.length;
    const res = await h.call('GET', `${E}?type=ParkingSpot`, { token: caller, headers: { 'proxy-authorization': 'Basic ZXZpbDpldmls' } });
    expect(res.status).toBe(200);
    const got = h.broker.requests.slice(before);
    expect(got[0]!.headers.authorization).toBe('Basic Y2Fzc2lvcGVpYTpjYXNzaW9wZWlh');
    expect(got[0]!.headers['proxy-authorization']).toBeUndefined();
  });
});
