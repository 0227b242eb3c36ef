/**
 * The city's own issuer on the real gateway over HTTPS: discovery and JWKS, and
 * organisations getting access tokens with client_credentials and a signed assertion,
 * which the gateway trusts without any issuer configured for it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { startHarness, REPO, type Harness } from '../helpers/harness.js';
import Database from 'better-sqlite3';
import { OIDC_ISSUER, assertionParams, clientKey, postForm, type ClientKey } from '../helpers/oidc.js';

const LIGHT = 'urn:ngsi-ld:Streetlight:1';
const SECRET = 'a-client-secret-of-at-least-32-characters';
let h: Harness;
let lighting: ClientKey;
let stranger: ClientKey;

beforeAll(async () => {
  lighting = await clientKey();
  stranger = await clientKey();
  process.env.MIMTRUST_TEST_CLIENT_SECRET = SECRET;
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
    oidc: {
      enabled: true,
      issuer: OIDC_ISSUER,
      clients: [
        {
          clientId: 'lighting-co', organisation: 'urn:org:lighting-co', grantTypes: ['client_credentials'],
          jwks: { keys: [lighting.publicJwk] }, purposes: ['dpv:ServiceProvision', 'dpv:ResearchAndDevelopment'], roles: ['viewer'],
        },
        { clientId: 'legacy-co', grantTypes: ['client_credentials'], clientSecretEnv: 'MIMTRUST_TEST_CLIENT_SECRET', roles: ['viewer'] },
      ],
    },
  });
  h.broker.seed({ id: LIGHT, type: 'Streetlight', status: { type: 'Property', value: 'ok' } });
});

afterAll(async () => {
  await h?.close();
  delete process.env.MIMTRUST_TEST_CLIENT_SECRET;
});

function issuanceRecords(): Array<{ operation: string; client_id: string; issuer: string; effect: string; reason: string; targets: string }> {
  const db = new Database(h.config.store.path, { readonly: true });
  try {
    return db.prepare("SELECT operation, client_id, issuer, effect, reason, targets FROM audit_records WHERE operation LIKE 'token.%' ORDER BY seq").all() as never;
  } finally {
    db.close();
  }
}

async function clientToken(extra: Record<string, string> = {}, key = lighting) {
  return postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...(await assertionParams('lighting-co', key)), ...extra });
}

describe('discovery', () => {
  it('names the issuer, its endpoints, S256 as the only PKCE method and PAR', async () => {
    const res = await h.call('GET', '/oidc/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    const doc = res.json();
    expect(doc.issuer).toBe(OIDC_ISSUER);
    expect(doc.token_endpoint).toMatch(/^https:\/\/localhost:\d+\/oidc\/token$/);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.pushed_authorization_request_endpoint).toMatch(/\/oidc\/request$/);
    expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token']));
    expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['private_key_jwt']));
  });

  it("oidc-provider's own answers carry the gateway's security headers, and may not be framed", async () => {
    for (const path of ['/oidc/.well-known/openid-configuration', '/oidc/jwks', '/oidc/auth?client_id=nobody']) {
      const res = await h.call('GET', path);
      expect(res.headers['strict-transport-security'], path).toMatch(/max-age=\d+/);
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
      expect(res.headers['referrer-policy'], path).toBe('no-referrer');
      // Its pages keep the strict policy of the issuer's screens; both forbid framing.
      expect(res.headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
    }
  });

  it('publishes the signing key without its private part', async () => {
    const doc = (await h.call('GET', '/oidc/.well-known/openid-configuration')).json();
    const res = await h.call('GET', new URL(doc.jwks_uri).pathname);
    expect(res.status).toBe(200);
    const { keys } = res.json();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0].d).toBeUndefined();
  });
});

describe('client_credentials with private_key_jwt', () => {
  it('issues an RFC 9068 access token naming client, organisation, roles and purpose', async () => {
    const res = await clientToken();
    expect(res.status, res.text).toBe(200);
    const body = res.json();
    expect(body.token_type).toBe('Bearer');
    expect(body.refresh_token).toBeUndefined();
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(decodeJwt(body.access_token)).toMatchObject({
      iss: OIDC_ISSUER, aud: 'mimtrust', client_id: 'lighting-co', org_id: 'urn:org:lighting-co',
      roles: ['viewer'], purpose: 'https://w3id.org/dpv#ServiceProvision',
    });
  });

  it('every token issued is on the audit log: client, grant, purpose and scopes', async () => {
    const { access_token } = (await clientToken()).json();
    const rows = issuanceRecords();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.at(-1)).toMatchObject({ operation: 'token.client_credentials', client_id: 'lighting-co', issuer: OIDC_ISSUER, effect: 'permit', reason: 'token_issued' });
    expect(JSON.parse(rows.at(-1)!.targets).types).toEqual([decodeJwt(access_token).purpose]);
  });

  it('no token leaves when the audit log cannot take its record', async () => {
    const before = issuanceRecords().length;
    // The audit table alone refuses records (the issuer's own tables stay writable), as a broken audit store would.
    const db = new Database(h.config.store.path);
    db.exec("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_records BEGIN SELECT RAISE(ABORT, 'audit store broken'); END");
    let res;
    try {
      res = await clientToken();
    } finally {
      db.exec('DROP TRIGGER refuse_audit');
      db.close();
    }
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.stringContaining('no token was issued') });
    expect(res.text).not.toContain('access_token');
    expect(issuanceRecords().length).toBe(before);
    expect((await clientToken()).status).toBe(200);
  });

  it('the gateway trusts the token: the organisation reads what its contract permits', async () => {
    const { access_token } = (await clientToken()).json();
    const res = await h.call('GET', `/ngsi-ld/v1/entities/${encodeURIComponent(LIGHT)}`, { token: access_token });
    expect(res.status).toBe(200);
    expect(res.json().id).toBe(LIGHT);
  });

  it('a purpose the contract does not allow is named in the token, and the gateway refuses', async () => {
    const res = await clientToken({ purpose: 'dpv:ResearchAndDevelopment' });
    expect(res.status).toBe(200);
    const { access_token } = res.json();
    expect(decodeJwt(access_token).purpose).toBe('https://w3id.org/dpv#ResearchAndDevelopment');
    expect((await h.call('GET', `/ngsi-ld/v1/entities/${encodeURIComponent(LIGHT)}`, { token: access_token })).status).toBe(403);
  });

  it('a purpose not configured for the client is refused at the token endpoint', async () => {
    const res = await clientToken({ purpose: 'dpv:Marketing' });
    expect(res.status).toBe(400);
    expect(res.json().error).toBe('invalid_request');
    expect(res.text).not.toContain('Marketing');
  });

  it('an assertion signed with another key is refused', async () => {
    const res = await clientToken({}, stranger);
    expect(res.status).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it('an assertion replayed is refused', async () => {
    const params = await assertionParams('lighting-co', lighting);
    expect((await postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...params })).status).toBe(200);
    const again = await postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...params });
    expect(again.status).toBe(401);
    expect(again.json().error).toBe('invalid_client');
  });

  it('an unsigned assertion (alg none) is refused', async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const none = `${enc({ alg: 'none' })}.${enc({ iss: 'lighting-co', sub: 'lighting-co', aud: OIDC_ISSUER, jti: 'x1', iat: now, exp: now + 60 })}.`;
    const res = await postForm(h, '/oidc/token', {
      grant_type: 'client_credentials', client_id: 'lighting-co',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: none,
    });
    expect(res.status).toBe(401);
  });

  it('a client secret is refused for a client configured with keys', async () => {
    const basic = Buffer.from(`lighting-co:${SECRET}`).toString('base64');
    const res = await postForm(h, '/oidc/token', { grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
    expect(res.status).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it('a client secret works only for the client configured with one, and only the right one', async () => {
    const basic = (s: string) => `Basic ${Buffer.from(`legacy-co:${s}`).toString('base64')}`;
    expect((await postForm(h, '/oidc/token', { grant_type: 'client_credentials' }, { authorization: basic(SECRET) })).status).toBe(200);
    expect((await postForm(h, '/oidc/token', { grant_type: 'client_credentials' }, { authorization: basic(`${SECRET}x`) })).status).toBe(401);
  });

  it('a token the issuer did not sign is refused by the gateway, though it names the issuer', async () => {
    const forged = await new SignJWT({ client_id: 'lighting-co', org_id: 'urn:org:lighting-co', roles: ['viewer'], purpose: 'dpv:ServiceProvision' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: (await h.call('GET', '/oidc/jwks')).json().keys[0].kid })
      .setIssuer(OIDC_ISSUER).setAudience('mimtrust').setSubject('lighting-co').setIssuedAt().setExpirationTime('5m')
      .sign(stranger.privateKey);
    expect((await h.call('GET', `/ngsi-ld/v1/entities/${encodeURIComponent(LIGHT)}`, { token: forged })).status).toBe(401);
  });
});
