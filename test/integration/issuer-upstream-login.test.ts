/**
 * Citizens logging in at the city's issuer through an upstream OpenID Provider: a real
 * oidc-provider on 127.0.0.1 plays the city's identity provider, with its own login and
 * consent screens. The first login makes a linked account, the next finds it again; then
 * the attacks: a callback with a state never issued, a code used twice, a state started in
 * one browser finished in another, a disabled account, and the provider gone.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import Provider from 'oidc-provider';
import { startHarness, REPO, type Harness } from '../helpers/harness.js';
import { IssuerBrowser, OIDC_ISSUER, actionOf, assertionParams, clientKey, csrfOf, location, pathOf, pkce, postForm, type ClientKey } from '../helpers/oidc.js';
import { Accounts } from '../../src/accounts/index.js';
import { openSqlite, SqliteAccountStore } from '../../src/store/index.js';

const REDIRECT = 'https://supplier.example/callback';
const UPSTREAM_SECRET = 'an upstream client secret of enough length';
const NAMES: Record<string, string> = { 'emile-42': 'Émile Zola' };
let h: Harness;
let app: ClientKey;
let idp: { url: string; server: Server; logins: number };

async function startIdp(): Promise<typeof idp> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const provider = new Provider(url, {
    clients: [{
      client_id: 'mimtrust-city', client_secret: UPSTREAM_SECRET, redirect_uris: [`${OIDC_ISSUER}/upstream/callback`],
      response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, preferred_username: NAMES[id] ?? id }) }),
    claims: { openid: ['sub'], profile: ['preferred_username'] },
    cookies: { keys: ['upstream cookie key of some length'] },
    features: { devInteractions: { enabled: true } },
  });
  const handler = provider.callback();
  const state = { url, server, logins: 0 };
  server.on('request', (req, res) => {
    if (req.method === 'POST' && req.url?.startsWith('/interaction/')) state.logins++;
    void handler(req, res);
  });
  return state;
}

/** A browser at the upstream provider, through its own screens (dev interactions): log in as `login`, consent. */
async function atUpstream(authorizeUrl: string, login: string): Promise<string> {
  const cookies = new Map<string, string>();
  let url = authorizeUrl;
  let form: URLSearchParams | undefined;
  for (let step = 0; step < 12; step++) {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET', redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: form.toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    form = undefined;
    const to = res.headers.get('location');
    if (to !== null) {
      const next = new URL(to, url);
      if (next.href.startsWith(OIDC_ISSUER)) return next.href;
      url = next.href;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    expect(action, html).toBeDefined();
    url = new URL(action as string, url).href;
    form = html.includes('name="password"')
      ? new URLSearchParams({ prompt: 'login', login, password: 'anything' })
      : new URLSearchParams({ prompt: 'consent' });
  }
  throw new Error('the upstream login did not come back');
}

function authorizeQuery(challenge: string): string {
  return new URLSearchParams({
    client_id: 'supplier-app', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid',
    code_challenge: challenge, code_challenge_method: 'S256', state: 'st-up', purpose: 'dpv:ServiceProvision',
  }).toString();
}

/** From the app's authorization request to the issuer's login page; returns it. */
async function loginPage(b: IssuerBrowser, challenge: string) {
  let res = await b.get(`/oidc/auth?${authorizeQuery(challenge)}`);
  expect(res.status).toBe(303);
  res = await b.get(pathOf(location(res)));
  expect(res.status).toBe(200);
  return res;
}

/** Presses "Log in with …" on the login page; returns where the browser is sent upstream. */
async function pressUpstream(b: IssuerBrowser, page: { text: string }): Promise<string> {
  const action = /<form method="post" action="([^"]+\/upstream)"/.exec(page.text)?.[1] as string;
  const res = await b.post(action, new URLSearchParams({ csrf: csrfOf(page.text) }));
  expect(res.status).toBe(303);
  return location(res);
}

/** Back at the issuer with the upstream's answer, through to the consent screen; returns the app's code. */
async function backAndConsent(b: IssuerBrowser, callback: string): Promise<string> {
  let res = await b.get(pathOf(callback));
  expect(res.status).toBe(303);
  res = await b.get(pathOf(location(res)));
  expect(res.status, res.text).toBe(303);
  res = await b.get(pathOf(location(res)));
  if (res.status === 303) res = await b.get(pathOf(location(res)));
  expect(res.status).toBe(200);
  res = await b.post(actionOf(res.text), new URLSearchParams({ csrf: csrfOf(res.text), days: '30', decision: 'accept' }));
  expect(res.status).toBe(303);
  res = await b.get(pathOf(location(res)));
  expect(res.status).toBe(303);
  return new URL(location(res)).searchParams.get('code') as string;
}

async function subOf(code: string, verifier: string): Promise<string> {
  const res = await postForm(h, '/oidc/token', {
    grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, ...(await assertionParams('supplier-app', app)),
  });
  expect(res.status, res.text).toBe(200);
  return decodeJwt(res.json().access_token as string).sub as string;
}

beforeAll(async () => {
  app = await clientKey();
  idp = await startIdp();
  process.env.CITY_EID_CLIENT_SECRET = UPSTREAM_SECRET;
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
    oidc: {
      enabled: true,
      issuer: OIDC_ISSUER,
      upstream: { name: 'City eID', issuer: idp.url, clientId: 'mimtrust-city', clientSecretEnv: 'CITY_EID_CLIENT_SECRET' },
      clients: [{
        clientId: 'supplier-app', name: 'Supplier App', organisation: 'urn:org:supplier', grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [REDIRECT], jwks: { keys: [app.publicJwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'],
      }],
    },
  });
});

afterAll(async () => {
  await h?.close();
  idp?.server.closeAllConnections();
  idp?.server.close();
});

describe('logging in through an upstream identity provider', () => {
  let firstSub = '';

  it('the login page offers the upstream provider, and its form may lead there', async () => {
    const page = await loginPage(new IssuerBrowser(h), pkce().challenge);
    expect(page.text).toContain('Log in with City eID');
    expect(String(page.headers['content-security-policy'])).toContain(idp.url);
  });

  it('the first login through it makes an account named after the upstream name; the token names that account', async () => {
    const b = new IssuerBrowser(h);
    const { verifier, challenge } = pkce();
    const upstreamUrl = await pressUpstream(b, await loginPage(b, challenge));
    const sent = new URL(upstreamUrl);
    expect(sent.origin).toBe(idp.url);
    expect(sent.searchParams.get('code_challenge_method')).toBe('S256');
    expect(sent.searchParams.get('nonce')).toBeTruthy();
    const callback = await atUpstream(upstreamUrl, 'emile-42');
    firstSub = await subOf(await backAndConsent(b, callback), verifier);
    const db = openSqlite(h.config.store.path, { readonly: true });
    try {
      const account = await new SqliteAccountStore(db).byId(firstSub);
      expect(account?.username).toBe('emile-zola');
      // No password here: the local login cannot be used for it.
      expect(await new Accounts(new SqliteAccountStore(db)).login('emile-zola', '!')).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('the next login of the same upstream person finds the same account', async () => {
    const b = new IssuerBrowser(h);
    const { verifier, challenge } = pkce();
    const callback = await atUpstream(await pressUpstream(b, await loginPage(b, challenge)), 'emile-42');
    expect(await subOf(await backAndConsent(b, callback), verifier)).toBe(firstSub);
  });

  it('a callback with a state the issuer never gave is refused with the error page, quoting nothing', async () => {
    const res = await new IssuerBrowser(h).get('/oidc/upstream/callback?state=made-up<b>&code=abc');
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('made-up');
  });

  it('an upstream answer used twice logs in once', async () => {
    const b = new IssuerBrowser(h);
    const callback = await atUpstream(await pressUpstream(b, await loginPage(b, pkce().challenge)), 'replayer');
    let res = await b.get(pathOf(callback));
    const returnPath = pathOf(location(res));
    res = await b.get(returnPath);
    expect(res.status).toBe(303);
    res = await b.get(returnPath);
    expect(res.status).toBe(400);
  });

  it("an upstream answer for one browser's login cannot finish another browser's", async () => {
    const victim = new IssuerBrowser(h);
    await loginPage(victim, pkce().challenge);
    const attacker = new IssuerBrowser(h);
    const callback = await atUpstream(await pressUpstream(attacker, await loginPage(attacker, pkce().challenge)), 'mallory');
    // The victim's browser follows the attacker's callback: the interaction it names is not the victim's.
    const res = await victim.get(pathOf(callback));
    expect(res.status).toBe(303);
    const back = await victim.get(pathOf(location(res)));
    expect(back.status).toBe(400);
    expect(back.headers.location).toBeUndefined();
  });

  it('a disabled linked account cannot log in through the upstream provider', async () => {
    const db = openSqlite(h.config.store.path);
    try {
      expect(await new SqliteAccountStore(db).disable('emile-zola', new Date().toISOString())).toBe(true);
    } finally {
      db.close();
    }
    const b = new IssuerBrowser(h);
    const callback = await atUpstream(await pressUpstream(b, await loginPage(b, pkce().challenge)), 'emile-42');
    let res = await b.get(pathOf(callback));
    res = await b.get(pathOf(location(res)));
    expect(res.status).toBe(400);
    expect(res.text).toContain('role="alert"');
  });

  it('with the upstream provider gone before the code is exchanged, the login page says so and offers the password login', async () => {
    const b = new IssuerBrowser(h);
    const callback = await atUpstream(await pressUpstream(b, await loginPage(b, pkce().challenge)), 'late-comer');
    idp.server.closeAllConnections();
    await new Promise<void>((r) => idp.server.close(() => r()));
    let res = await b.get(pathOf(callback));
    res = await b.get(pathOf(location(res)));
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('Logging in with City eID did not work');
    expect(res.text).toContain('name="password"');
  });
});
