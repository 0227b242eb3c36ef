/**
 * The issuer's key rotation on the real gateway: after `rotateKeySet` (what
 * `mimtrust issuer rotate-key` runs) and a restart, new tokens are signed with the new key
 * while a token signed before the rotation is still accepted, and both keys are in the JWKS.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { Agent } from 'undici';
import { decodeProtectedHeader } from 'jose';
import { startHarness, REPO, type Harness } from '../helpers/harness.js';
import { OIDC_ISSUER, assertionParams, clientKey, postForm, type ClientKey } from '../helpers/oidc.js';
import { startGateway, type Gateway } from '../../src/app/index.js';
import { rotateKeySet } from '../../src/keys/index.js';
import { OIDC_KEY_SET_NAME } from '../../src/issuer/index.js';

const LIGHT = 'urn:ngsi-ld:Streetlight:1';
let h: Harness;
let key: ClientKey;
let restarted: Gateway | undefined;
let agent: Agent;

beforeAll(async () => {
  key = await clientKey();
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
    oidc: {
      enabled: true,
      issuer: OIDC_ISSUER,
      clients: [{ clientId: 'lighting-co', organisation: 'urn:org:lighting-co', grantTypes: ['client_credentials'], jwks: { keys: [key.publicJwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'] }],
    },
  });
  h.broker.seed({ id: LIGHT, type: 'Streetlight', status: { type: 'Property', value: 'ok' } });
  agent = new Agent({ connect: { ca: h.ca, servername: 'localhost' } });
});

afterAll(async () => {
  await restarted?.close();
  await agent.close();
  await h.agent.close();
  await h.broker.close();
  await h.issuer.close();
});

async function call(gw: Gateway, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const res = await agent.request({ origin: gw.url.replace('127.0.0.1', 'localhost'), path, method: method, headers, body });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: () => JSON.parse(text) };
}

describe('issuer key rotation', () => {
  it('keeps a token signed with the old key valid and signs new tokens with the new key', async () => {
    const before = await postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...(await assertionParams('lighting-co', key)) });
    expect(before.status).toBe(200);
    const oldToken = before.json().access_token as string;
    const oldKid = decodeProtectedHeader(oldToken).kid;

    await h.gateway.close();
    const rotated = await rotateKeySet(h.config.keysDir, OIDC_KEY_SET_NAME);
    expect(rotated.publicKeys.map((k) => k.kid)).toEqual([expect.any(String), oldKid]);
    restarted = await startGateway({ ...h.config, logLevel: 'silent' });

    const jwks = (await call(restarted, 'GET', '/oidc/jwks')).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(rotated.publicKeys.map((k) => k.kid));

    const read = (t: string) => call(restarted as Gateway, 'GET', `/ngsi-ld/v1/entities/${encodeURIComponent(LIGHT)}`, { authorization: `Bearer ${t}` });
    expect((await read(oldToken)).status).toBe(200);

    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(await assertionParams('lighting-co', key)) }).toString();
    const after = await call(restarted, 'POST', '/oidc/token', { 'content-type': 'application/x-www-form-urlencoded' }, form);
    expect(after.status).toBe(200);
    const newToken = after.json().access_token as string;
    expect(decodeProtectedHeader(newToken).kid).toBe(rotated.publicKeys[0]?.kid);
    expect((await read(newToken)).status).toBe(200);
  });
});
