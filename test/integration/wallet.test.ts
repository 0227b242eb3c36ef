/**
 * The citizen wallet over HTTPS against the real gateway: sign-in through the city's own
 * issuer (PKCE, state bound to the browser), the session cookie, CSRF on every form,
 * another citizen's consent answering as missing, stored strings escaped, the export, the
 * consent API kept from the app that reads the data (only the citizen's tool has it), and
 * the access history: a read an app made through the gateway under the citizen's consent,
 * recorded on the audit log with whose data it released, shown to that citizen only.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { startHarness, REPO, type Harness } from '../helpers/harness.js';
import { IssuerBrowser, OIDC_ISSUER, actionOf, clientKey, csrfOf, location, pathOf, type ClientKey } from '../helpers/oidc.js';
import { appToken as tokenWithConsent, logIn as signInAt, supplierApp, walletSignIn as signInToWallet } from '../helpers/wallet.js';
import { Accounts } from '../../src/accounts/index.js';
import { loadOrCreateAuditKey, verifyAudit } from '../../src/audit/index.js';
import { openSqlite, SqliteAccountStore, SqliteAuditQuery, SqliteAuditStore, SqliteConsentStore } from '../../src/store/index.js';

const APP_REDIRECT = 'https://supplier.example/callback';
const TOOL_REDIRECT = 'https://consents.example/callback';
const E = '/ngsi-ld/v1/entities';
const PASSWORDS = { alice: 'alice has a long password', bob: 'bob has another long one' } as const;
type Name = keyof typeof PASSWORDS;

let h: Harness;
let app: ClientKey;
let tool: ClientKey;
const ids = {} as Record<Name, string>;
const meterOf = (n: Name) => `urn:ngsi-ld:EnergyMeter:${n}`;

beforeAll(async () => {
  app = await clientKey();
  tool = await clientKey();
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
    oidc: {
      enabled: true,
      issuer: OIDC_ISSUER,
      clients: [supplierApp(APP_REDIRECT, app), {
        // The citizen's own consent tool: the consent API's scope, and no data of any contract.
        clientId: 'consent-tool', name: 'Consent Tool', grantTypes: ['authorization_code'],
        redirectUris: [TOOL_REDIRECT], jwks: { keys: [tool.publicJwk] }, purposes: ['dpv:ServiceProvision'], scopes: ['consents'],
      }],
    },
  });
  const db = openSqlite(h.config.store.path);
  try {
    const accounts = new Accounts(new SqliteAccountStore(db));
    for (const n of ['alice', 'bob'] as const) ids[n] = (await accounts.add(n, PASSWORDS[n], Date.now())).id;
  } finally {
    db.close();
  }
  for (const n of ['alice', 'bob'] as const) {
    h.broker.seed({
      id: meterOf(n), type: 'EnergyMeter',
      owner: { type: 'Relationship', object: `urn:ngsi-ld:Person:${ids[n]}` },
      totalActiveEnergyImport: { type: 'Property', value: n === 'alice' ? 1234.5 : 99 },
      serialNumber: { type: 'Property', value: `S-${n}` },
    });
  }
});
afterAll(async () => h?.close());

const setCookies = (res: { headers: Record<string, string | string[] | undefined> }): string[] => {
  const c = res.headers['set-cookie'];
  return c === undefined ? [] : Array.isArray(c) ? c : [c];
};

const person = (n: Name) => ({ username: n, password: PASSWORDS[n] });
const logIn = (b: IssuerBrowser, page: { text: string }, n: Name) => signInAt(b, page, person(n));
const walletSignIn = (b: IssuerBrowser, n: Name) => signInToWallet(b, person(n));
const appToken = (n: Name, attrs: string[]) => tokenWithConsent(h, { clientId: 'supplier-app', key: app, redirectUri: APP_REDIRECT, purpose: 'dpv:ServiceProvision' }, person(n), attrs);
const toolToken = (n: Name) =>
  tokenWithConsent(h, { clientId: 'consent-tool', key: tool, redirectUri: TOOL_REDIRECT, purpose: 'dpv:ServiceProvision', scope: 'openid consents' }, person(n), []);

describe('wallet: sign-in and session', () => {
  it('sends a browser without a session to sign in, for pages and forms alike', async () => {
    for (const [method, path] of [['GET', '/wallet'], ['GET', '/wallet/export'], ['POST', '/wallet/consents/urn%3Auuid%3Ax/withdraw'], ['POST', '/wallet/sign-out']] as const) {
      const res = await h.call(method, path, method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: 'csrf=x' } : {});
      expect(res.status, path).toBe(303);
      expect(res.headers.location).toBe('/wallet/sign-in');
    }
    const forged = await h.call('GET', '/wallet', { headers: { cookie: '__Host-mimtrust-wallet=not-a-session' } });
    expect(forged.status).toBe(303);
  });

  it('signs in through the issuer with PKCE; the session is a random id in a __Host- cookie, HttpOnly, Secure, SameSite=Lax', async () => {
    const b = new IssuerBrowser(h);
    const back = await walletSignIn(b, 'alice');
    const session = setCookies(back).find((c) => c.startsWith('__Host-mimtrust-wallet=') && !c.startsWith('__Host-mimtrust-wallet=;'))!;
    expect(session).toMatch(/^__Host-mimtrust-wallet=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    expect(session).not.toContain(ids.alice);
    const page = await b.get('/wallet');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'none'/);
    expect(page.text).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page.text).toContain('<a class="skip" href="#main">Skip to content</a>');
    expect(page.text).toContain('You have not given any consent.');
    // Signing out ends the session: the same cookie no longer opens the wallet.
    const out = await b.post('/wallet/sign-out', new URLSearchParams({ csrf: csrfOf(page.text) }));
    expect(out.status).toBe(303);
    expect(location(out)).toBe('/wallet/signed-out');
    expect((await h.call('GET', '/wallet', { headers: { cookie: `__Host-mimtrust-wallet=${session.split(';')[0]!.split('=')[1]}` } })).status).toBe(303);
  });

  it('refuses a callback this browser did not start, or with another state, and one with a forged code', async () => {
    const alice = new IssuerBrowser(h);
    let res = await alice.get('/wallet/sign-in');
    res = await alice.get(pathOf(location(res)));
    res = await alice.get(pathOf(location(res)));
    res = await logIn(alice, res, 'alice');
    while (res.status === 303 && !location(res).includes('/wallet/callback')) res = await alice.get(pathOf(location(res)));
    const callback = pathOf(location(res));
    // Another browser (an attacker handing over their own code) has no sign-in under way.
    const other = await new IssuerBrowser(h).get(callback);
    expect(other.status).toBe(401);
    expect(other.headers['content-type']).toMatch(/^text\/html/);
    expect(setCookies(other).some((c) => c.startsWith('__Host-mimtrust-wallet='))).toBe(false);
    const wrongState = await alice.get(callback.replace(/state=[^&]+/, 'state=forged'));
    expect(wrongState.status).toBe(401);
    // The sign-in under way was used up by the failed attempt: the right answer comes too late.
    expect((await alice.get(callback)).status).toBe(401);
    const forgedCode = new IssuerBrowser(h);
    const start = await forgedCode.get('/wallet/sign-in');
    const state = new URL(location(start), 'https://localhost').searchParams.get('state')!;
    expect((await forgedCode.get(`/wallet/callback?code=forged&state=${state}`)).status).toBe(401);
  });
});

describe('wallet: consents, access history, withdrawal', () => {
  let aliceToken: string;
  let bobToken: string;
  let alice: IssuerBrowser;
  let bob: IssuerBrowser;

  beforeAll(async () => {
    alice = new IssuerBrowser(h);
    bob = new IssuerBrowser(h);
    aliceToken = await appToken('alice', ['totalActiveEnergyImport', 'owner']);
    bobToken = await appToken('bob', ['totalActiveEnergyImport', 'owner']);
    // The app reads alice's meter, and with bob's token a query that returns only bob's.
    const read = await h.call('GET', `${E}/${encodeURIComponent(meterOf('alice'))}`, { token: aliceToken });
    expect(read.status, read.text).toBe(200);
    expect(read.json().totalActiveEnergyImport.value).toBe(1234.5);
    const query = await h.call('GET', `${E}?type=EnergyMeter`, { token: bobToken });
    expect(query.status, query.text).toBe(200);
    expect(query.json().map((e: { id: string }) => e.id)).toEqual([meterOf('bob')]);
    await walletSignIn(alice, 'alice');
    await walletSignIn(bob, 'bob');
  });

  it('the audit record of a read names whose data it released, without values, and the log still verifies', async () => {
    const db = openSqlite(h.config.store.path, { readonly: true });
    try {
      const records = new SqliteAuditQuery(db, { subject: `urn:ngsi-ld:Person:${ids.alice}` }).newest(10);
      expect(records).toHaveLength(1);
      expect(records[0]!.released).toEqual({
        purpose: 'https://w3id.org/dpv#ServiceProvision',
        consents: [expect.stringMatching(/^urn:uuid:/)],
        subjects: [{ id: `urn:ngsi-ld:Person:${ids.alice}`, types: [expect.stringMatching(/EnergyMeter$/)], attrs: [expect.stringMatching(/owner$/), expect.stringMatching(/totalActiveEnergyImport$/)] }],
      });
      expect(JSON.stringify(records[0])).not.toContain('1234.5');
      const verified = await verifyAudit(new SqliteAuditStore(db), loadOrCreateAuditKey(h.config.keysDir).publicKey);
      expect(verified.ok, JSON.stringify(verified)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('shows the citizen their consent: status, organisation, purpose in words, data, legal basis, validity', async () => {
    const page = await alice.get('/wallet');
    expect(page.status, JSON.stringify(h.logs.slice(-4))).toBe(200);
    const card = /<article class="card"[\s\S]*?<\/article>/.exec(page.text)?.[0] ?? '';
    expect(card).toContain('<h3 id="consent-0">Supplier App (urn:org:supplier)</h3>');
    expect(card).toContain('<span class="status-given">active</span>');
    expect(card).toContain('<dd>providing the service you use</dd>');
    expect(card).toContain('<li>EnergyMeter: owner, totalActiveEnergyImport</li>');
    expect(card).toContain('<dd>Your consent</dd>');
    expect(card).toMatch(/from [^<]+ until [^<]+UTC/);
    expect(card).toContain('Withdraw this consent');
  });

  it('shows who read the data: the app, when, what and what for; and nothing of another citizen', async () => {
    const page = await alice.get('/wallet');
    const rows = /<tbody>([\s\S]*?)<\/tbody>/.exec(page.text)?.[1] ?? '';
    expect(rows.match(/<tr>/g)).toHaveLength(1);
    expect(rows).toMatch(/<td>Supplier App \(urn:org:supplier\)<\/td><td>EnergyMeter: owner, totalActiveEnergyImport<\/td><td>providing the service you use<\/td>/);
    expect(page.text).not.toContain(ids.bob);
    const bobs = await bob.get('/wallet');
    expect(bobs.text).not.toContain(ids.alice);
    expect((/<tbody>([\s\S]*?)<\/tbody>/.exec(bobs.text)?.[1] ?? '').match(/<tr>/g)).toHaveLength(1);
  });

  it('exports the same records as the consent API, as a download', async () => {
    const res = await alice.get('/wallet/export');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="consents.json"');
    const api = await h.call('GET', '/consents/export', { token: await toolToken('alice') });
    expect(api.status, api.text).toBe(200);
    const { exportedAt: _a, ...wallet } = res.json();
    const { exportedAt: _b, ...viaApi } = api.json();
    expect(wallet).toEqual(viaApi);
    expect(wallet.dataSubject.id).toBe(`urn:ngsi-ld:Person:${ids.alice}`);
    expect(wallet.records).toHaveLength(1);
  });

  it('keeps the consent API from the app that reads the data: the issuer will not give it the scope, the API refuses its token', async () => {
    // Asking the issuer for the consent API's scope is answered with an error to the app, before any login.
    const q = new URLSearchParams({
      client_id: 'supplier-app', response_type: 'code', redirect_uri: APP_REDIRECT, scope: 'openid consents',
      code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', state: 's', purpose: 'dpv:ServiceProvision',
    });
    const asked = await new IssuerBrowser(h).get(`/oidc/auth?${q.toString()}`);
    expect(asked.status).toBe(303);
    const answer = new URL(location(asked));
    expect(`${answer.origin}${answer.pathname}`).toBe(APP_REDIRECT);
    expect(answer.searchParams.get('error')).toBe('invalid_scope');
    const own = await toolToken('alice');
    const listed = await h.call('GET', '/consents', { token: own });
    expect(listed.status, listed.text).toBe(200);
    const id = (listed.json() as Array<{ id: string }>)[0]!.id;
    for (const [method, path, body] of [
      ['GET', '/consents', undefined],
      ['GET', '/consents/export', undefined],
      // Widening its own consent, or withdrawing one, would be the prize.
      ['POST', '/consents', { recipient: 'supplier-app', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'EnergyMeter', attributes: ['serialNumber'] }] }],
      ['POST', `/consents/${encodeURIComponent(id)}/withdraw`, undefined],
    ] as const) {
      const res = await h.call(method, path, { token: aliceToken, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json().reason).toBe('consent_scope_missing');
    }
    // Nothing changed: the one consent, still given, and the app still reads under it.
    expect((await h.call('GET', '/consents', { token: own })).json()).toEqual(listed.json());
    expect((await h.call('GET', `${E}/${encodeURIComponent(meterOf('alice'))}`, { token: aliceToken })).status).toBe(200);
  });

  it('refuses a withdrawal without the session\'s CSRF token, or with another session\'s, and changes nothing', async () => {
    const page = await alice.get('/wallet');
    const action = actionOf(page.text.slice(page.text.indexOf('<article')));
    expect(action).toMatch(/^\/wallet\/consents\/urn%3Auuid%3A[0-9a-f-]+\/withdraw$/);
    const bobsCsrf = csrfOf((await bob.get('/wallet')).text);
    for (const csrf of [undefined, '', 'forged', bobsCsrf]) {
      const res = await alice.post(action, new URLSearchParams(csrf === undefined ? {} : { csrf }));
      expect(res.status, String(csrf)).toBe(403);
      expect(res.text).toContain('The form has expired.');
    }
    expect((await h.call('GET', `${E}/${encodeURIComponent(meterOf('alice'))}`, { token: aliceToken })).status).toBe(200);
  });

  it('answers another citizen\'s consent as missing, and leaves it in force', async () => {
    const page = await alice.get('/wallet');
    const action = actionOf(page.text.slice(page.text.indexOf('<article')));
    const bobsCsrf = csrfOf((await bob.get('/wallet')).text);
    const res = await bob.post(action, new URLSearchParams({ csrf: bobsCsrf }));
    expect(res.status).toBe(404);
    expect(res.text).toContain('There is no such consent among yours.');
    expect((await alice.get('/wallet')).text).toContain('<span class="status-given">active</span>');
    expect((await h.call('GET', `${E}/${encodeURIComponent(meterOf('alice'))}`, { token: aliceToken })).status).toBe(200);
  });

  it('escapes what records hold wherever it is shown', async () => {
    const db = openSqlite(h.config.store.path);
    try {
      const at = new Date().toISOString();
      await new SqliteConsentStore(db).add({
        id: 'urn:uuid:00000000-0000-4000-8000-000000000001',
        dataSubject: { issuer: OIDC_ISSUER, sub: ids.bob, id: `urn:ngsi-ld:Person:${ids.bob}` },
        recipient: '@city/<script>alert(1)</script>',
        purposes: ['https://w3id.org/dpv#<img src=x onerror=alert(2)>'],
        personalData: [{ type: 'https://x.example/Meter"><img src=y onerror=alert(3)>', attributes: ['a<b>'] }],
        legalBasis: 'https://w3id.org/dpv#Consent', givenAt: at, events: [{ event: 'given', at }],
      });
    } finally {
      db.close();
    }
    const page = await bob.get('/wallet');
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/<script|<img|<b>/);
    expect(page.text).toContain('@city/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(page.text).toContain('Meter&quot;&gt;&lt;img src=y onerror=alert(3)&gt;');
    expect(page.text).toContain('a&lt;b&gt;');
  });

  it('withdraws: a confirmation, the status withdrawn, and the app\'s unexpired token refused on its next call', async () => {
    const page = await alice.get('/wallet');
    const action = actionOf(page.text.slice(page.text.indexOf('<article')));
    const res = await alice.post(action, new URLSearchParams({ csrf: csrfOf(page.text) }));
    expect(res.status).toBe(303);
    const after = await alice.get(pathOf(location(res)));
    expect(after.text).toContain('<p class="ok" role="status">Your consent is withdrawn. Supplier App (urn:org:supplier) can no longer read this data.</p>');
    expect(after.text).toContain('<span class="status-withdrawn">withdrawn</span>');
    expect(after.text).not.toContain('Withdraw this consent');
    const refused = await h.call('GET', `${E}/${encodeURIComponent(meterOf('alice'))}`, { token: aliceToken });
    expect(refused.status).toBe(401);
    expect(refused.json().reason).toBe('consent_withdrawn');
    // Bob's consent is his own: it still holds.
    expect((await h.call('GET', `${E}/${encodeURIComponent(meterOf('bob'))}`, { token: bobToken })).status).toBe(200);
  });

  it('speaks German by Accept-Language, or as chosen with the switch', async () => {
    const de = new IssuerBrowser(h, 'de');
    await walletSignIn(de, 'bob');
    expect((await de.get('/wallet')).text).toContain('<html lang="de">');
    const chosen = await de.get('/wallet/language?lang=en');
    expect(chosen.status).toBe(303);
    expect(setCookies(chosen)[0]).toMatch(/^__Host-mimtrust-lang=en; Path=\/; Secure; HttpOnly; SameSite=Lax/);
    const page = await de.get('/wallet');
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('hreflang="de"');
  });

  // Last: it uses up this address's sign-ins for the gateway's lifetime in the test.
  it('refuses the 31st sign-in started from one address within ten minutes, saying when to try again', async () => {
    const b = new IssuerBrowser(h);
    const statuses: number[] = [];
    let last = await b.get('/wallet/sign-in');
    statuses.push(last.status);
    for (let i = 1; i < 31; i++) {
      last = await b.get('/wallet/sign-in');
      statuses.push(last.status);
    }
    // The tests before this one started a few from the same address.
    expect(statuses.slice(0, 20).every((st) => st === 303)).toBe(true);
    expect(last.status).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(last.headers.location).toBeUndefined();
    expect(String(last.headers['content-type'])).toMatch(/^text\/html/);
  });
});
