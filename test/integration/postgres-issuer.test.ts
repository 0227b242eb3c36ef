/**
 * The city's own OIDC issuer on two real gateway instances sharing one PostgreSQL database,
 * a browser sent to either by a load balancer: an account added with `mimtrust accounts`
 * against store.url logs in on both; a login started on one finishes on the other; a code
 * is redeemed once, whichever instance is asked and even when both are asked at once; a
 * refresh token from one is used at the other; an account disabled through one instance's
 * configuration is refused by the other; failed logins count across both. A trusted issuer
 * the operator adds or removes through one instance's admin API is in force on the other. A
 * presentation-login challenge handed out by one instance is used once, at either.
 * Needs MIMTRUST_TEST_POSTGRES_URL and `npm run build` (the CLI).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { freshSchema, havePostgres, warnIfNoPostgres, type TestSchema } from '../helpers/postgres.js';
import { runCli, runCliWithInput } from '../helpers/cli.js';
import { IssuerBrowser, OIDC_ISSUER, actionOf, assertionParams, clientKey, csrfOf, location, pathOf, pkce, postForm, type ClientKey } from '../helpers/oidc.js';
import { eventually } from '../helpers/eventually.js';
import { credential, didKey, presentation, vpLogin, type DidKey } from '../helpers/vp.js';

warnIfNoPostgres('the OIDC issuer on two instances');

const REDIRECT = 'https://supplier.example/callback';
const PASSWORD = 'alice has a long password';
const E = '/ngsi-ld/v1/entities';
const METER = 'urn:ngsi-ld:EnergyMeter:alice';

describe.skipIf(!havePostgres())('the OIDC issuer on two instances of one PostgreSQL database', () => {
  let schema: TestSchema;
  let a: Harness;
  let b: Harness;
  let app: ClientKey;
  let aliceId: string;
  /** The registry the city trusts for organisation credentials, and an organisation it vouches for. */
  let registry: DidKey;
  let org: DidKey;
  const cli = (args: string[], input = ''): ReturnType<typeof runCli> => runCliWithInput([...args, '--config', join(a.dir, 'mimtrust.json')], input);

  beforeAll(async () => {
    schema = await freshSchema();
    app = await clientKey();
    [registry, org] = await Promise.all([didKey(), didKey()]);
    const settings = {
      store: { url: schema.url },
      credentials: { trustedIssuers: [{ did: registry.did, credentialTypes: ['OrganisationCredential'], roles: [{ claim: 'role', value: 'dataUser', roles: ['viewer'] }] }] },
      contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
      oidc: {
        enabled: true,
        issuer: OIDC_ISSUER,
        loginThrottle: { perAccountAndAddress: 3, perAddress: 1000, perAccount: 1000, windowSec: 600 },
        clients: [{
          clientId: 'supplier-app', name: 'Supplier App', organisation: 'urn:org:supplier', grantTypes: ['authorization_code', 'refresh_token'],
          redirectUris: [REDIRECT], jwks: { keys: [app.publicJwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'],
        }],
      },
    };
    a = await startHarness(settings);
    b = await startHarness(settings, { alongside: a });
    const added = await cli(['accounts', 'add', '--username', 'alice'], `${PASSWORD}\n`);
    expect(added.code, added.stderr).toBe(0);
    aliceId = added.stdout.split('\t')[0] as string;
    expect((await cli(['accounts', 'add', '--username', 'carol'], `${PASSWORD}\n`)).code).toBe(0);
    a.broker.seed({
      id: METER, type: 'EnergyMeter',
      owner: { type: 'Relationship', object: `urn:ngsi-ld:Person:${aliceId}` },
      totalActiveEnergyImport: { type: 'Property', value: 1234.5 },
    });
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await schema?.drop();
  });

  const authorize = (challenge: string): string => `/oidc/auth?${new URLSearchParams({
    client_id: 'supplier-app', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid',
    code_challenge: challenge, code_challenge_method: 'S256', state: 'st', purpose: 'dpv:ServiceProvision',
  }).toString()}`;

  /** The login page of a new authorization request at `start`, the browser now at `then`. */
  async function loginPage(br: IssuerBrowser, start: Harness, then: Harness, challenge: string): Promise<string> {
    const res = await br.at(start).get(authorize(challenge));
    expect(res.status).toBe(303);
    const page = await br.at(then).get(pathOf(location(res)));
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="password"');
    return page.text;
  }

  /**
   * Authorize at A, log in at B, consent at A, back at B: the code the app is sent.
   * Each step's answer is what the browser was given by the other instance's step.
   */
  async function codeAcross(br: IssuerBrowser, challenge: string): Promise<string> {
    const page = await loginPage(br, a, b, challenge);
    let res = await br.at(b).post(actionOf(page), new URLSearchParams({ csrf: csrfOf(page), username: 'alice', password: PASSWORD }));
    expect(res.status, res.text).toBe(303);
    res = await br.at(a).get(pathOf(location(res)));
    if (res.status === 303) res = await br.get(pathOf(location(res)));
    expect(res.status).toBe(200);
    expect(res.text).toContain('totalActiveEnergyImport');
    const form = new URLSearchParams({ csrf: csrfOf(res.text), days: '30', decision: 'accept' });
    for (const m of res.text.matchAll(/name="attr" value="([^"]+)"/g)) form.append('attr', m[1] as string);
    res = await br.post(actionOf(res.text), form);
    expect(res.status).toBe(303);
    res = await br.at(b).get(pathOf(location(res)));
    expect(res.status).toBe(303);
    const back = new URL(location(res));
    expect(back.origin + back.pathname).toBe(REDIRECT);
    return back.searchParams.get('code') as string;
  }

  const exchange = async (h: Harness, code: string, verifier: string) => postForm(h, '/oidc/token', {
    grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, ...(await assertionParams('supplier-app', app)),
  });
  const refresh = async (h: Harness, rt: string) => postForm(h, '/oidc/token', { grant_type: 'refresh_token', refresh_token: rt, ...(await assertionParams('supplier-app', app)) });

  let tokens: { access_token: string; refresh_token: string };

  it('a login started on one instance finishes on the other; the code is redeemed once, at either', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeAcross(new IssuerBrowser(a), challenge);
    const first = await exchange(b, code, verifier);
    expect(first.status, first.text).toBe(200);
    expect(decodeJwt(first.json().access_token as string)).toMatchObject({ iss: OIDC_ISSUER, sub: aliceId, client_id: 'supplier-app' });
    // A code used again revokes what it gave (oidc-provider), wherever it is used again.
    for (const h of [a, b]) {
      const again = await exchange(h, code, verifier);
      expect(again.status).toBe(400);
      expect(again.json().error).toBe('invalid_grant');
    }
    const revoked = await refresh(a, first.json().refresh_token as string);
    expect(revoked.json().error).toBe('invalid_grant');
  });

  it('a code asked for at both instances at once is redeemed by one of them only', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeAcross(new IssuerBrowser(a), challenge);
    const answers = await Promise.all([exchange(a, code, verifier), exchange(b, code, verifier)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(answers.find((r) => r.status === 400)?.json().error).toBe('invalid_grant');
    tokens = answers.find((r) => r.status === 200)?.json();
    expect(decodeJwt(tokens.access_token).sub).toBe(aliceId);
  });

  it('a token issued by one instance reads through both gateways', async () => {
    for (const h of [a, b]) {
      const res = await h.call('GET', `${E}/${encodeURIComponent(METER)}`, { token: tokens.access_token });
      expect(res.status, res.text).toBe(200);
      expect(res.json().totalActiveEnergyImport.value).toBe(1234.5);
    }
  });

  it('a refresh token from one instance is used at the other, once', async () => {
    const atA = await refresh(a, tokens.refresh_token);
    expect(atA.status, atA.text).toBe(200);
    const rotated = atA.json() as { access_token: string; refresh_token: string };
    expect(decodeJwt(rotated.access_token).sub).toBe(aliceId);
    const atB = await refresh(b, rotated.refresh_token);
    expect(atB.status, atB.text).toBe(200);
    tokens = atB.json();
    const replayed = await refresh(b, rotated.refresh_token);
    expect(replayed.status).toBe(400);
    expect(replayed.json().error).toBe('invalid_grant');
  });

  it('a presentation-login challenge handed out by one instance is used once, at the other; a second use at either is refused', async () => {
    const challengeAt = async (h: Harness): Promise<string> => {
      const res = await h.call('POST', '/oidc/vp-challenge');
      expect(res.status, res.text).toBe(200);
      return res.json().challenge as string;
    };
    const vp = await presentation(await credential(registry, org), org, await challengeAt(a));
    const first = await vpLogin(b, vp);
    expect(first.status, first.text).toBe(200);
    expect(decodeJwt(first.json().access_token as string)).toMatchObject({ sub: org.did, roles: ['viewer'] });
    for (const h of [a, b]) {
      const again = await vpLogin(h, vp);
      expect(again.status).toBe(400);
      expect(again.json().error).toBe('invalid_grant');
      expect(again.json().error_description).toMatch(/^challenge_unknown: /);
      expect(again.text).not.toContain('access_token');
    }
    // One presentation sent to both at once: one login, whichever instance wins.
    for (let round = 0; round < 3; round++) {
      const raced = await presentation(await credential(registry, org), org, await challengeAt(round % 2 === 0 ? b : a));
      const answers = await Promise.all([vpLogin(a, raced), vpLogin(b, raced), vpLogin(a, raced), vpLogin(b, raced)]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400, 400]);
    }
  });

  it('a presentation login while the shared store cannot be reached is refused as unavailable (503), not as a bad grant; the challenge holds after', async () => {
    const res = await a.call('POST', '/oidc/vp-challenge');
    const vp = await presentation(await credential(registry, org), org, res.json().challenge as string);
    await schema.tamper('ALTER TABLE expiring_keys RENAME TO expiring_keys_away');
    try {
      const refused = await vpLogin(b, vp);
      expect(refused.status, refused.text).toBe(503);
      expect(refused.json().error).toBe('temporarily_unavailable');
      expect(refused.json().error_description).toMatch(/^shared_state_unavailable: /);
      expect(refused.text).not.toContain('access_token');
    } finally {
      await schema.tamper('ALTER TABLE expiring_keys_away RENAME TO expiring_keys');
    }
    const after = await vpLogin(a, vp);
    expect(after.status, after.text).toBe(200);
  });

  it('failed logins at both instances count together: past the limit, even the right password waits', async () => {
    const br = new IssuerBrowser(a);
    let page = await loginPage(br, a, b, pkce().challenge);
    const action = actionOf(page);
    const attempt = async (h: Harness, password: string) => {
      const res = await br.at(h).post(action, new URLSearchParams({ csrf: csrfOf(page), username: 'carol', password }));
      page = res.text;
      return res;
    };
    expect((await attempt(a, 'a wrong password 1')).status).toBe(400);
    expect((await attempt(b, 'a wrong password 2')).status).toBe(400);
    expect((await attempt(a, 'a wrong password 3')).status).toBe(400);
    for (const h of [b, a]) {
      const waited = await attempt(h, PASSWORD);
      expect(waited.status).toBe(429);
      expect(Number(waited.headers['retry-after'])).toBeGreaterThan(0);
    }
    const rows = await schema.query<{ n: string }>('SELECT count(*) AS n FROM login_failures');
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
  });

  it('an account disabled with the command line is refused by both: no refresh, no login', async () => {
    const disabled = await cli(['accounts', 'disable', '--username', 'alice']);
    expect(disabled.code, disabled.stderr).toBe(0);
    const listed = await cli(['accounts', 'list']);
    expect(listed.stdout).toMatch(/\talice\t\S+\tdisabled \S+$/m);
    const renewed = await refresh(b, tokens.refresh_token);
    expect(renewed.status).toBe(400);
    expect(renewed.json().error).toBe('invalid_grant');
    for (const [start, then] of [[a, b], [b, a]] as const) {
      const br = new IssuerBrowser(start);
      const page = await loginPage(br, start, then, pkce().challenge);
      const res = await br.post(actionOf(page), new URLSearchParams({ csrf: csrfOf(page), username: 'alice', password: PASSWORD }));
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
  });

  it('a trusted issuer added or removed through one instance\'s admin API is in force on the other', async () => {
    const did = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    const path = `/admin/trusted-issuers/${encodeURIComponent(did)}`;
    const admin = await token(a.issuer, { roles: ['contract-admin'] });
    const onB = async (): Promise<number> => (await b.call('GET', path, { token: admin })).status;
    expect(await onB()).toBe(404);
    const put = await a.call('PUT', path, { token: admin, body: { credentialTypes: ['OrganisationCredential'], roles: [{ claim: 'role', value: 'member', roles: ['viewer'] }] } });
    expect(put.status, put.text).toBe(201);
    expect(await eventually(onB, (s) => s === 200)).toBe(200);
    const listed = (await b.call('GET', '/admin/trusted-issuers', { token: admin })).json() as Array<{ did: string; source: string }>;
    expect(listed.find((e) => e.did === did)).toMatchObject({ source: 'admin', credentialTypes: ['OrganisationCredential'] });
    expect((await a.call('DELETE', path, { token: admin })).status).toBe(204);
    expect(await eventually(onB, (s) => s === 404)).toBe(404);
  });
});
