/**
 * A citizen app through the city's own issuer, driven over HTTP as a browser would: the
 * authorization request, the login form, the consent form with some attributes ticked,
 * the code exchanged with its PKCE verifier, and the token used at the gateway, which
 * shows only what the citizen accepted. Then the attacks: PKCE misuse, a wrong password,
 * a form without its CSRF token, a refresh token used twice, a withdrawn consent.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { startHarness, REPO, type Harness } from '../helpers/harness.js';
import { IssuerBrowser, OIDC_ISSUER, actionOf, assertionParams, clientKey, csrfOf, location, pathOf, pkce, postForm, type ClientKey } from '../helpers/oidc.js';
import { Accounts } from '../../src/accounts/index.js';
import { openSqlite, SqliteAccountStore } from '../../src/store/index.js';

const REDIRECT = 'https://supplier.example/callback';
const TOOL_REDIRECT = 'https://my.city.example/callback';
const PASSWORD = 'alice has a long password';
const E = '/ngsi-ld/v1/entities';
let h: Harness;
let app: ClientKey;
let aliceId: string;
let meter: string;

beforeAll(async () => {
  app = await clientKey();
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
    oidc: {
      enabled: true,
      issuer: OIDC_ISSUER,
      clients: [{
        clientId: 'supplier-app', name: 'Supplier App', organisation: 'urn:org:supplier', grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [REDIRECT], jwks: { keys: [app.publicJwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'],
      }, {
        // The citizen's own consent tool: the only client given the consent API's scope.
        clientId: 'consent-tool', name: 'My consents', grantTypes: ['authorization_code'],
        redirectUris: [TOOL_REDIRECT], jwks: { keys: [app.publicJwk] }, scopes: ['consents'], purposes: ['dpv:ServiceProvision'],
      }],
    },
  });
  const db = openSqlite(h.config.store.path);
  try {
    aliceId = (await new Accounts(new SqliteAccountStore(db)).add('alice', PASSWORD, Date.now())).id;
  } finally {
    db.close();
  }
  meter = 'urn:ngsi-ld:EnergyMeter:alice';
  h.broker.seed({
    id: meter, type: 'EnergyMeter',
    owner: { type: 'Relationship', object: `urn:ngsi-ld:Person:${aliceId}` },
    totalActiveEnergyImport: { type: 'Property', value: 1234.5 },
    serialNumber: { type: 'Property', value: 'S-1' },
  });
});

afterAll(async () => {
  await h?.close();
});

function authorizeQuery(challenge: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    client_id: 'supplier-app', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid',
    code_challenge: challenge, code_challenge_method: 'S256', state: 'st-1', purpose: 'dpv:ServiceProvision', ...extra,
  }).toString();
}

/** Runs authorize → login → consent up to the redirect to the app; returns it. */
async function throughScreens(b: IssuerBrowser, challenge: string, pick: (html: string) => string[], password = PASSWORD, client: Record<string, string> = {}): Promise<string> {
  let res = await b.get(`/oidc/auth?${authorizeQuery(challenge, client)}`);
  expect(res.status).toBe(303);
  res = await b.get(pathOf(location(res)));
  expect(res.status).toBe(200);
  expect(res.text).toContain('name="password"');
  res = await b.post(actionOf(res.text), new URLSearchParams({ csrf: csrfOf(res.text), username: 'alice', password }));
  expect(res.status).toBe(303);
  res = await b.get(pathOf(location(res)));
  if (res.status === 303) res = await b.get(pathOf(location(res)));
  expect(res.status).toBe(200);
  const form = new URLSearchParams({ csrf: csrfOf(res.text), days: '30', decision: 'accept' });
  for (const v of pick(res.text)) form.append('attr', v);
  res = await b.post(actionOf(res.text), form);
  expect(res.status).toBe(303);
  res = await b.get(pathOf(location(res)));
  expect(res.status).toBe(303);
  return location(res);
}

async function exchange(code: string, verifier?: string) {
  return postForm(h, '/oidc/token', {
    grant_type: 'authorization_code', code, redirect_uri: REDIRECT, ...(verifier !== undefined ? { code_verifier: verifier } : {}),
    ...(await assertionParams('supplier-app', app)),
  });
}

/** The checkbox value of an attribute on the consent page, by its label. */
function boxFor(html: string, label: string): string {
  const id = new RegExp(`<label for="([^"]+)">${label}</label>`).exec(html)?.[1];
  return new RegExp(`id="${id}" name="attr" value="([^"]+)"`).exec(html)?.[1] ?? 'missing';
}

describe('authorization code with PKCE, login and consent', () => {
  let tokens: { access_token: string; refresh_token: string };
  let consentPage = '';

  beforeAll(async () => {
    const b = new IssuerBrowser(h);
    const { verifier, challenge } = pkce();
    const back = await throughScreens(b, challenge, (html) => {
      consentPage = html;
      return [boxFor(html, 'totalActiveEnergyImport'), boxFor(html, 'owner')];
    });
    const url = new URL(back);
    expect(url.origin + url.pathname).toBe(REDIRECT);
    expect(url.searchParams.get('state')).toBe('st-1');
    const res = await exchange(url.searchParams.get('code') as string, verifier);
    expect(res.status, res.text).toBe(200);
    tokens = res.json();
  });

  it('the consent screen names the organisation, the purpose in words, the legal basis, the data and the choice of duration', () => {
    expect(consentPage).toContain('<html lang="en">');
    expect(consentPage).toContain('urn:org:supplier');
    expect(consentPage).toContain('providing the service you use');
    expect(consentPage).toContain('Your consent.');
    for (const a of ['totalActiveEnergyImport', 'serialNumber', 'owner']) expect(consentPage).toContain(`>${a}</label>`);
    expect(consentPage).toContain('<legend>EnergyMeter</legend>');
    expect(consentPage).toMatch(/<option value="90" selected>/);
  });

  it('the access token names the citizen, the client, the purpose and the consent given', () => {
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ iss: OIDC_ISSUER, sub: aliceId, client_id: 'supplier-app', org_id: 'urn:org:supplier', purpose: 'https://w3id.org/dpv#ServiceProvision' });
    expect(claims.consents).toEqual([expect.stringMatching(/^urn:uuid:/)]);
  });

  it('the app reads the meter through the gateway with only the attributes accepted', async () => {
    const res = await h.call('GET', `${E}/${encodeURIComponent(meter)}`, { token: tokens.access_token });
    expect(res.status, res.text).toBe(200);
    const body = res.json();
    expect(body.totalActiveEnergyImport.value).toBe(1234.5);
    expect(body.serialNumber).toBeUndefined();
  });

  it('a refresh token is rotated: the new one works, the used one is refused', async () => {
    const refresh = async (rt: string) => postForm(h, '/oidc/token', { grant_type: 'refresh_token', refresh_token: rt, ...(await assertionParams('supplier-app', app)) });
    const first = await refresh(tokens.refresh_token);
    expect(first.status, first.text).toBe(200);
    const next = first.json();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeJwt(next.access_token).consents).toEqual(decodeJwt(tokens.access_token).consents);
    const again = await refresh(tokens.refresh_token);
    expect(again.status).toBe(400);
    expect(again.json().error).toBe('invalid_grant');
  });

  it('withdrawing the consent through the consent API refuses the same token on its next request', async () => {
    const id = (decodeJwt(tokens.access_token).consents as string[])[0] as string;
    // The app's own token carries the citizen's sub, but not the consent API's scope.
    const byApp = await h.call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, { token: tokens.access_token });
    expect(byApp.status).toBe(403);
    const { verifier, challenge } = pkce();
    const back = await throughScreens(new IssuerBrowser(h), challenge, () => [], PASSWORD, { client_id: 'consent-tool', redirect_uri: TOOL_REDIRECT, scope: 'openid consents' });
    const tool = await postForm(h, '/oidc/token', {
      grant_type: 'authorization_code', code: new URL(back).searchParams.get('code') as string, redirect_uri: TOOL_REDIRECT, code_verifier: verifier,
      ...(await assertionParams('consent-tool', app)),
    });
    expect(tool.status, tool.text).toBe(200);
    const withdraw = await h.call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, { token: tool.json().access_token });
    expect(withdraw.status, withdraw.text).toBe(200);
    const res = await h.call('GET', `${E}/${encodeURIComponent(meter)}`, { token: tokens.access_token });
    expect(res.status).toBe(401);
    expect(res.json().reason).toBe('consent_withdrawn');
  });
});

describe('pushed authorization requests', () => {
  it("an app asking for the consent API's scope is refused it: only clients configured with it get it", async () => {
    const res = await new IssuerBrowser(h).get(`/oidc/auth?${authorizeQuery(pkce().challenge, { scope: 'openid consents' })}`);
    expect(res.status).toBe(303);
    const back = new URL(location(res));
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('invalid_scope');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('the app pushes its parameters and the browser carries only the request_uri to the login', async () => {
    const { challenge } = pkce();
    const pushed = await postForm(h, '/oidc/request', {
      ...Object.fromEntries(new URLSearchParams(authorizeQuery(challenge))), ...(await assertionParams('supplier-app', app)),
    });
    expect(pushed.status, pushed.text).toBe(201);
    const { request_uri } = pushed.json();
    expect(request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const b = new IssuerBrowser(h);
    let res = await b.get(`/oidc/auth?${new URLSearchParams({ client_id: 'supplier-app', request_uri }).toString()}`);
    expect(res.status).toBe(303);
    res = await b.get(pathOf(location(res)));
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="password"');
  });
});

describe('attacks on the flow', () => {
  async function codeFor(): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkce();
    const back = await throughScreens(new IssuerBrowser(h), challenge, (html) => [boxFor(html, 'owner')]);
    return { code: new URL(back).searchParams.get('code') as string, verifier };
  }

  it('a code without its verifier is refused', async () => {
    const { code } = await codeFor();
    const res = await exchange(code);
    expect(res.status).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
  });

  it('a code with the wrong verifier is refused', async () => {
    const { code } = await codeFor();
    const res = await exchange(code, pkce().verifier);
    expect(res.status).toBe(400);
    expect(res.json().error).toBe('invalid_grant');
  });

  it('the plain PKCE method and a request without PKCE are refused at the authorization endpoint', async () => {
    const plain = await new IssuerBrowser(h).get(`/oidc/auth?${authorizeQuery('a'.repeat(43), { code_challenge_method: 'plain' })}`);
    expect(plain.status).toBe(303);
    expect(new URL(location(plain)).searchParams.get('error')).toBe('invalid_request');
    const q = new URLSearchParams(authorizeQuery('x'));
    q.delete('code_challenge');
    q.delete('code_challenge_method');
    const none = await new IssuerBrowser(h).get(`/oidc/auth?${q.toString()}`);
    expect(new URL(location(none)).searchParams.get('error')).toBe('invalid_request');
  });

  it('a wrong password shows the login form again with an error, and no redirect', async () => {
    const b = new IssuerBrowser(h, 'de');
    let res = await b.get(`/oidc/auth?${authorizeQuery(pkce().challenge)}`);
    res = await b.get(pathOf(location(res)));
    expect(res.text).toContain('<html lang="de">');
    res = await b.post(actionOf(res.text), new URLSearchParams({ csrf: csrfOf(res.text), username: 'alice', password: 'not her password' }));
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('role="alert"');
    expect(res.text).not.toContain('not her password');
    expect(String(res.headers['content-security-policy'])).toMatch(/default-src 'none'/);
  });

  it('after five wrong passwords for one account the right one waits too, unchecked, while other accounts still log in', async () => {
    const db = openSqlite(h.config.store.path);
    try {
      await new Accounts(new SqliteAccountStore(db)).add('bob', 'bob has a long password', Date.now());
    } finally {
      db.close();
    }
    const attempt = async (username: string, password: string) => {
      const b = new IssuerBrowser(h);
      let res = await b.get(`/oidc/auth?${authorizeQuery(pkce().challenge)}`);
      res = await b.get(pathOf(location(res)));
      return b.post(actionOf(res.text), new URLSearchParams({ csrf: csrfOf(res.text), username, password }));
    };
    for (let i = 0; i < 5; i++) expect((await attempt('bob', `guess ${i}`)).status).toBe(400);
    const throttled = await attempt('BOB ', 'bob has a long password');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(800);
    expect(throttled.headers.location).toBeUndefined();
    expect(throttled.text).toContain('Too many attempts failed. Please wait 15 minutes');
    expect((await attempt('bob', 'bob has a long password')).status).toBe(429);
    const alice = await attempt('alice', PASSWORD);
    expect(alice.status).toBe(303);
  });

  it('an authorization request that cannot go back to a client gets the issuer error page, quoting nothing of it', async () => {
    const res = await new IssuerBrowser(h, 'de').get(`/oidc/auth?${authorizeQuery(pkce().challenge, { client_id: 'evil<script>app' })}`);
    expect(res.status).toBe(400);
    expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
    expect(String(res.headers['content-security-policy'])).toMatch(/default-src 'none'/);
    expect(res.text).toContain('<html lang="de">');
    expect(res.text).not.toContain('evil');
  });

  it('a form posted without its CSRF token is refused', async () => {
    const b = new IssuerBrowser(h);
    let res = await b.get(`/oidc/auth?${authorizeQuery(pkce().challenge)}`);
    res = await b.get(pathOf(location(res)));
    res = await b.post(actionOf(res.text), new URLSearchParams({ csrf: 'forged', username: 'alice', password: PASSWORD }));
    expect(res.status).toBe(403);
    expect(res.headers.location).toBeUndefined();
  });

  it('refusing consent ends the flow with access_denied', async () => {
    const b = new IssuerBrowser(h);
    let res = await b.get(`/oidc/auth?${authorizeQuery(pkce().challenge)}`);
    res = await b.get(pathOf(location(res)));
    res = await b.post(actionOf(res.text), new URLSearchParams({ csrf: csrfOf(res.text), username: 'alice', password: PASSWORD }));
    res = await b.get(pathOf(location(res)));
    if (res.status === 303) res = await b.get(pathOf(location(res)));
    res = await b.post(actionOf(res.text), new URLSearchParams({ csrf: csrfOf(res.text), days: '30', decision: 'deny' }));
    res = await b.get(pathOf(location(res)));
    expect(new URL(location(res)).searchParams.get('error')).toBe('access_denied');
  });
});
