/**
 * A citizen in a browser, by hand: signing in to the wallet through the city's issuer, and
 * an app's authorization code flow in which the citizen gives consent on the consent screen.
 */
import { expect } from 'vitest';
import type { Harness } from './harness.js';
import { IssuerBrowser, actionOf, assertionParams, csrfOf, location, pathOf, pkce, postForm, type ClientKey } from './oidc.js';

/** The supplier application of the wallet tests: reads energy meters for service provision, as a viewer, with the citizen's consent. */
export function supplierApp(redirectUri: string, key: ClientKey) {
  return {
    clientId: 'supplier-app', name: 'Supplier App', organisation: 'urn:org:supplier', grantTypes: ['authorization_code'],
    redirectUris: [redirectUri], jwks: { keys: [key.publicJwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'],
  };
}

export interface Person {
  username: string;
  password: string;
}

/** Logs in at the issuer's login page the browser is on; returns the answer after the form. */
export async function logIn(b: IssuerBrowser, page: { text: string }, p: Person) {
  expect(page.text).toContain('name="password"');
  return b.post(actionOf(page.text), new URLSearchParams({ csrf: csrfOf(page.text), username: p.username, password: p.password }));
}

/** Signs in to the wallet as `p`, following every redirect by hand; returns the answer sending the browser to the wallet. */
export async function walletSignIn(b: IssuerBrowser, p: Person) {
  let res = await b.get('/wallet/sign-in');
  expect(res.status).toBe(303);
  const authorize = new URL(location(res), 'https://localhost');
  expect(authorize.pathname).toBe('/oidc/auth');
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('prompt')).toBe('login');
  res = await b.get(pathOf(location(res)));
  res = await b.get(pathOf(location(res)));
  res = await logIn(b, res, p);
  // Login, then straight back: the wallet asks for no data, so there is no consent screen.
  while (res.status === 303 && !location(res).includes('/wallet/callback')) res = await b.get(pathOf(location(res)));
  expect(location(res)).toMatch(/^https:\/\/localhost\/wallet\/callback\?code=/);
  res = await b.get(pathOf(location(res)));
  expect(res.status, res.text).toBe(303);
  expect(location(res)).toBe('/wallet');
  return res;
}

export interface AppClient {
  clientId: string;
  key: ClientKey;
  redirectUri: string;
  purpose: string;
  /**
   * The scope asked for; default `openid`. Only the citizen's own consent tool asks for the
   * consent API's scope (`openid consents`): an app that uses the data does not manage consents.
   */
  scope?: string;
}

/** The app's code flow for `p`: authorize, login, consent with `attrs` ticked (none for a tool asking for no data), code exchanged. */
export async function appToken(h: Harness, app: AppClient, p: Person, attrs: string[]): Promise<string> {
  const b = new IssuerBrowser(h);
  const { verifier, challenge } = pkce();
  const q = new URLSearchParams({
    client_id: app.clientId, response_type: 'code', redirect_uri: app.redirectUri, scope: app.scope ?? 'openid',
    code_challenge: challenge, code_challenge_method: 'S256', state: 's', purpose: app.purpose,
  });
  let res = await b.get(`/oidc/auth?${q.toString()}`);
  res = await b.get(pathOf(location(res)));
  res = await logIn(b, res, p);
  res = await b.get(pathOf(location(res)));
  if (res.status === 303) res = await b.get(pathOf(location(res)));
  const form = new URLSearchParams({ csrf: csrfOf(res.text), days: '30', decision: 'accept' });
  for (const a of attrs) {
    const id = new RegExp(`<label for="([^"]+)">${a}</label>`).exec(res.text)?.[1];
    form.append('attr', new RegExp(`id="${id}" name="attr" value="([^"]+)"`).exec(res.text)?.[1] ?? 'missing');
  }
  res = await b.post(actionOf(res.text), form);
  res = await b.get(pathOf(location(res)));
  const code = new URL(location(res)).searchParams.get('code') as string;
  const tokens = await postForm(h, '/oidc/token', {
    grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, code_verifier: verifier, ...(await assertionParams(app.clientId, app.key)),
  });
  expect(tokens.status, tokens.text).toBe(200);
  return tokens.json().access_token as string;
}
