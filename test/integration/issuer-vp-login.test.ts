/**
 * Organisations logging in to the city's issuer with a Verifiable Presentation, on the
 * real gateway over HTTPS: a challenge from /oidc/vp-challenge, a presentation of one
 * credential signed by a trusted issuer, an access token naming the organisation's DID
 * with the roles its credential gives, which the gateway accepts; with a DPoP proof, a token
 * bound to its key, which the gateway refuses as a bearer token. Every way of getting it
 * wrong is refused with an OAuth error naming why.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeJwt } from 'jose';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { OIDC_ISSUER, clientKey, postForm } from '../helpers/oidc.js';
import { dpopProof, thumbprint } from '../helpers/dpop.js';
import { credential, didKey, presentation, vpLogin, type DidKey } from '../helpers/vp.js';
import { VP_LOGIN_CLIENT_ID, VP_TOKEN_GRANT } from '../../src/issuer/index.js';

const LIGHT = 'urn:ngsi-ld:Streetlight:1';

let h: Harness;
/** The business registry the city trusts for organisation credentials. */
let registry: DidKey;
/** An association the city trusts for membership credentials only. */
let association: DidKey;
/** Nobody the city trusts. */
let stranger: DidKey;
/** The organisation logging in. */
let org: DidKey;

async function challenge(): Promise<string> {
  const res = await h.call('POST', '/oidc/vp-challenge');
  expect(res.status, res.text).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store');
  const body = res.json();
  expect(body.domain).toBe(OIDC_ISSUER);
  return body.challenge as string;
}

async function present(vc: unknown, o: { holder?: DidKey; challenge?: string; domain?: string } = {}) {
  return presentation(vc, o.holder ?? org, o.challenge ?? await challenge(), o.domain ?? OIDC_ISSUER);
}

const login = (vp: unknown, headers: Record<string, string> = {}) => vpLogin(h, vp, headers);

async function refusedFor(vp: unknown, reason: string): Promise<void> {
  const res = await login(vp);
  expect(res.status, res.text).toBe(400);
  expect(res.json().error).toBe('invalid_grant');
  expect(res.json().error_description).toMatch(new RegExp(`^${reason}: `));
  expect(res.text).not.toContain('access_token');
}

beforeAll(async () => {
  [registry, association, stranger, org] = await Promise.all([didKey(), didKey(), didKey(), didKey()]);
  h = await startHarness({
    oidc: { enabled: true, issuer: OIDC_ISSUER },
    credentials: {
      trustedIssuers: [
        { did: registry.did, credentialTypes: ['OrganisationCredential'], roles: [{ claim: 'role', value: 'dataUser', roles: ['viewer'] }, { claim: 'role', value: 'dataProvider', roles: ['provider', 'viewer'] }] },
        { did: association.did, credentialTypes: ['MembershipCredential'], roles: [{ claim: 'role', value: 'dataUser', roles: ['viewer'] }] },
      ],
    },
  });
  h.broker.seed({ id: LIGHT, type: 'Streetlight', status: { type: 'Property', value: 'ok' } });
});

afterAll(async () => {
  await h?.close();
});

describe('an organisation with a credential from a trusted issuer', () => {
  it('gets an access token naming its DID and the roles its credential gives, which the gateway accepts', async () => {
    const res = await login(await present(await credential(registry, org, { role: 'dataProvider' })));
    expect(res.status, res.text).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { access_token, token_type } = res.json();
    expect(token_type).toBe('Bearer');
    const claims = decodeJwt(access_token);
    expect(claims).toMatchObject({ iss: OIDC_ISSUER, sub: org.did, org_id: org.did, client_id: VP_LOGIN_CLIENT_ID, roles: ['provider', 'viewer'] });
    const read = await h.call('GET', `/ngsi-ld/v1/entities/${encodeURIComponent(LIGHT)}`, { token: access_token });
    expect(read.status, read.text).toBe(200);
  });

  it('is on the audit log before it leaves, under the organisation\'s DID', async () => {
    await login(await present(await credential(registry, org)));
    const db = new Database(h.config.store.path, { readonly: true });
    try {
      const rows = db.prepare('SELECT sub, client_id, reason FROM audit_records WHERE operation = ? ORDER BY seq').all(`token.${VP_TOKEN_GRANT}`) as Array<{ sub: string; client_id: string; reason: string }>;
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows.at(-1)).toEqual({ sub: org.did, client_id: VP_LOGIN_CLIENT_ID, reason: 'token_issued' });
    } finally {
      db.close();
    }
  });

  it('with a DPoP proof gets a token bound to the proof\'s key, refused as a bearer token and without a proof', async () => {
    const key = await clientKey();
    const tokenEndpoint = (await h.call('GET', '/oidc/.well-known/openid-configuration')).json().token_endpoint as string;
    const proof = await dpopProof(key, { htm: 'POST', htu: tokenEndpoint });
    const res = await login(await present(await credential(registry, org)), { dpop: proof });
    expect(res.status, res.text).toBe(200);
    const { access_token, token_type } = res.json();
    expect(token_type).toBe('DPoP');
    expect(decodeJwt(access_token)).toMatchObject({ sub: org.did, cnf: { jkt: await thumbprint(key) } });
    const path = `/ngsi-ld/v1/entities/${encodeURIComponent(LIGHT)}`;
    const asBearer = await h.call('GET', path, { token: access_token });
    expect(asBearer.status).toBe(401);
    expect(asBearer.text).not.toContain(access_token);
    const noProof = await h.call('GET', path, { headers: { authorization: `DPoP ${access_token}` } });
    expect(noProof.status).toBe(401);
    const origin = h.gateway.url.replace('127.0.0.1', 'localhost');
    const bound = await h.call('GET', path, { headers: { authorization: `DPoP ${access_token}`, dpop: await dpopProof(key, { htm: 'GET', htu: `${origin}${path}`, accessToken: access_token }) } });
    expect(bound.status, bound.text).toBe(200);
    // The same proof again at the token endpoint is a replay.
    const replayed = await login(await present(await credential(registry, org)), { dpop: proof });
    expect(replayed.status).toBe(400);
    expect(replayed.json().error).toBe('invalid_grant');
  });

  it('the discovery document lists the grant', async () => {
    const doc = (await h.call('GET', '/oidc/.well-known/openid-configuration')).json();
    expect(doc.grant_types_supported).toContain(VP_TOKEN_GRANT);
  });
});

describe('refused', () => {
  it('for an issuer not on the list', async () => {
    await refusedFor(await present(await credential(stranger, org)), 'issuer_untrusted');
  });

  it('for an issuer trusted only for another type of credential', async () => {
    await refusedFor(await present(await credential(association, org)), 'credential_type_untrusted');
    // The same issuer, for the type it is trusted for, is fine.
    expect((await login(await present(await credential(association, org, { type: 'MembershipCredential' })))).status).toBe(200);
  });

  it('for a claim the list gives no roles for', async () => {
    await refusedFor(await present(await credential(registry, org, { role: 'cityAdmin' })), 'claims_untrusted');
  });

  it('for a challenge the issuer did not hand out', async () => {
    await refusedFor(await present(await credential(registry, org), { challenge: 'made-up-by-the-client' }), 'challenge_unknown');
  });

  it('for a presentation sent a second time', async () => {
    const vp = await present(await credential(registry, org));
    expect((await login(vp)).status).toBe(200);
    await refusedFor(vp, 'challenge_unknown');
  });

  it('for a presentation signed for another domain', async () => {
    await refusedFor(await present(await credential(registry, org), { domain: 'https://elsewhere.example/oidc' }), 'presentation_proof_invalid');
  });

  it('for an expired credential', async () => {
    await refusedFor(await present(await credential(registry, org, { validUntil: '2025-01-01T00:00:00Z' })), 'credential_expired');
  });

  it('for a revoked credential: its status bit set, read on every login', async () => {
    // A status entry on one of the city's lists: the receipt of a consent, revoked by its withdrawal.
    const citizen = await token(h.issuer, { sub: 'alice', roles: [], extra: { scope: 'consents' } });
    const given = await h.call('POST', '/consents', { token: citizen, body: { recipient: 'test-client', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'EnergyMeter', attributes: ['totalActiveEnergyImport'] }] } });
    expect(given.status, given.text).toBe(201);
    const id = given.json().id as string;
    const receipt = (await h.call('GET', `/consents/${encodeURIComponent(id)}/receipt`, { token: citizen })).json();
    const vc = await credential(registry, org, { status: receipt.credentialStatus });
    expect((await login(await present(vc))).status).toBe(200);
    expect((await h.call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, { token: citizen })).status).toBe(200);
    // The same credential, whose proof was checked and remembered a moment ago.
    await refusedFor(await present(vc), 'credential_revoked');
  });

  it('for a presentation whose holder is not the credential\'s subject', async () => {
    await refusedFor(await present(await credential(registry, org), { holder: stranger }), 'holder_not_subject');
  });

  it('for a tampered presentation: its credential\'s claims changed after signing', async () => {
    const vp = await present(await credential(registry, org)) as Record<string, any>;
    vp.verifiableCredential[0].credentialSubject.role = 'dataProvider';
    await refusedFor(vp, 'presentation_proof_invalid');
  });

  it('for a credential whose claims the holder changed before signing the presentation', async () => {
    const vc = await credential(registry, org) as Record<string, any>;
    vc.credentialSubject.role = 'dataProvider';
    await refusedFor(await present(vc), 'proof_invalid');
  });

  it('for a tampered presentation: its holder changed after signing', async () => {
    const vp = await present(await credential(registry, stranger), { holder: stranger }) as Record<string, any>;
    vp.holder = org.did;
    await refusedFor(vp, 'holder_not_signer');
  });

  it('for a vp_token that is not JSON, or is missing', async () => {
    const bad = await postForm(h, '/oidc/token', { grant_type: VP_TOKEN_GRANT, client_id: VP_LOGIN_CLIENT_ID, vp_token: '{not json<script>' });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_request' });
    expect(bad.text).not.toContain('<script>');
    const missing = await postForm(h, '/oidc/token', { grant_type: VP_TOKEN_GRANT, client_id: VP_LOGIN_CLIENT_ID });
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('the operator\'s trusted issuers', () => {
  const admin = () => token(h.issuer, { roles: ['contract-admin'] });
  const at = (d: DidKey) => `/admin/trusted-issuers/${encodeURIComponent(d.did)}`;

  it('an issuer the operator adds vouches for organisations at once, until it is removed; both changes are on the audit log', async () => {
    const chamber = await didKey();
    const vc = await credential(chamber, org, { role: 'member' });
    await refusedFor(await present(vc), 'issuer_untrusted');
    const put = await h.call('PUT', at(chamber), { token: await admin(), body: { credentialTypes: ['OrganisationCredential'], roles: [{ claim: 'role', value: 'member', roles: ['viewer'] }] } });
    expect(put.status, put.text).toBe(201);
    const res = await login(await present(vc));
    expect(res.status, res.text).toBe(200);
    expect(decodeJwt(res.json().access_token).roles).toEqual(['viewer']);
    expect((await h.call('DELETE', at(chamber), { token: await admin() })).status).toBe(204);
    await refusedFor(await present(vc), 'issuer_untrusted');
    const db = new Database(h.config.store.path, { readonly: true });
    try {
      const rows = db.prepare("SELECT operation, targets FROM audit_records WHERE operation LIKE 'admin.trusted-issuers.%' ORDER BY seq").all() as Array<{ operation: string; targets: string }>;
      expect(rows.map((r) => r.operation)).toEqual(expect.arrayContaining(['admin.trusted-issuers.put', 'admin.trusted-issuers.delete']));
      expect(rows.every((r) => r.targets.includes(chamber.did))).toBe(true);
    } finally {
      db.close();
    }
  });

  it('a window that has closed stops the trust', async () => {
    const old = await didKey();
    await h.call('PUT', at(old), { token: await admin(), body: { credentialTypes: ['OrganisationCredential'], roles: [{ claim: 'role', value: 'dataUser', roles: ['viewer'] }], validUntil: '2025-01-01T00:00:00Z' } });
    await refusedFor(await present(await credential(old, org)), 'issuer_trust_expired');
  });

  it('a configured issuer is shown but neither replaced nor removed, and only the operator sees the list', async () => {
    const listed = (await h.call('GET', '/admin/trusted-issuers', { token: await admin() })).json();
    expect(listed.find((e: { did: string }) => e.did === registry.did)).toMatchObject({ source: 'config', credentialTypes: ['OrganisationCredential'] });
    expect((await h.call('DELETE', at(registry), { token: await admin() })).json()).toMatchObject({ status: 409, reason: 'trusted_issuer_configured' });
    expect((await h.call('PUT', at(registry), { token: await admin(), body: { credentialTypes: ['X'], roles: [{ claim: 'role', value: 'v', roles: ['provider'] }] } })).status).toBe(409);
    expect((await h.call('GET', '/admin/trusted-issuers', { token: await token(h.issuer, { roles: ['viewer'] }) })).status).toBe(403);
  });
});

describe('the worked example in docs/credentials.md', () => {
  it('docs/examples/vp-login/login.mjs logs an organisation in, as written', async () => {
    const env = { ...process.env, GATEWAY: h.gateway.url.replace('127.0.0.1', 'localhost'), CA: join(h.config.keysDir, 'tls-cert.pem'), ADMIN_TOKEN: await token(h.issuer, { roles: ['contract-admin'] }) };
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [join(REPO, 'docs', 'examples', 'vp-login', 'login.mjs')], { cwd: REPO, env, timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    const printed = JSON.parse(out);
    expect(printed).toMatchObject({ sub: printed.organisation, org_id: printed.organisation, roles: ['viewer'] });
    expect(printed.organisation).toMatch(/^did:key:z6Mk/);
  });
});
