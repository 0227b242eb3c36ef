/**
 * A citizen takes a consent receipt into an external wallet by OpenID for Verifiable
 * Credential Issuance (pre-authorized code), against the real gateway over HTTPS with a
 * SQLite store: the offer on the wallet page (link and QR code, transaction code), the
 * metadata, the code redeemed at the issuer's token endpoint, a nonce, a key proof made
 * with a fresh did:key, the receipt bound to that DID, verified, then revoked by a
 * withdrawal on the wallet page. And the attacks: a code used twice or with a wrong
 * transaction code, another citizen's consent, a withdrawn consent, proofs for another
 * audience, replayed or unknown nonces, signed by another key than they name, and other
 * tokens of the issuer at the credential endpoint. A wallet finds the authorization server
 * through the metadata (RFC 8414); a token redeemed with a DPoP proof is bound to its key.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeJwt } from 'jose';
import { toJwk } from '@digitalbazaar/ed25519-multikey';
import { startHarness, REPO, type Harness } from '../helpers/harness.js';
import { IssuerBrowser, OIDC_ISSUER, assertionParams, clientKey, csrfOf, postForm, type ClientKey } from '../helpers/oidc.js';
import { walletSignIn, type Person } from '../helpers/wallet.js';
import { Accounts } from '../../src/accounts/index.js';
import { openSqlite, SqliteAccountStore } from '../../src/store/index.js';
import { offerOf, PRE_AUTHORIZED_GRANT } from '../../src/credentials/index.js';
import { CONFIGURATION, citizenWithConsent as withConsent, codeOf, holder, keyProof, nonceAt, offerFor, redeemAt, type Holder } from '../helpers/oid4vci.js';
import { offerQrSvg } from '../../src/wallet/offer-qr.js';
import { dpopProof, thumbprint } from '../helpers/dpop.js';
import { declaredResponse, openApiProblems, schemaChecker, type OpenApi } from '../helpers/openapi.js';

const APP_REDIRECT = 'https://supplier.example/callback';
const people = { alice: { username: 'alice', password: 'alice has a long password' }, bob: { username: 'bob', password: 'bob has another long one' } } satisfies Record<string, Person>;

let h: Harness;
let app: ClientKey;
let org: ClientKey;
const ids = {} as Record<keyof typeof people, string>;
/** The gateway's public base URL, as its metadata names it. */
let credentialIssuer: string;

beforeAll(async () => {
  app = await clientKey();
  org = await clientKey();
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
    oidc: {
      enabled: true,
      issuer: OIDC_ISSUER,
      clients: [
        {
          clientId: 'supplier-app', name: 'Supplier App', organisation: 'urn:org:supplier', grantTypes: ['authorization_code'],
          redirectUris: [APP_REDIRECT], jwks: { keys: [app.publicJwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'],
        },
        { clientId: 'org-client', name: 'An organisation', grantTypes: ['client_credentials'], jwks: { keys: [org.publicJwk] }, roles: ['viewer'] },
      ],
    },
  });
  const db = openSqlite(h.config.store.path);
  try {
    const accounts = new Accounts(new SqliteAccountStore(db));
    for (const n of ['alice', 'bob'] as const) ids[n] = (await accounts.add(n, people[n].password, Date.now())).id;
  } finally {
    db.close();
  }
  credentialIssuer = (await h.call('GET', '/.well-known/openid-credential-issuer')).json().credential_issuer as string;
});
afterAll(async () => h?.close());

const supplier = () => ({ clientId: 'supplier-app', key: app, redirectUri: APP_REDIRECT, purpose: 'dpv:ServiceProvision' });

/** A signed-in wallet session of `n` with one fresh consent to the supplier; the consent's id. */
const citizenWithConsent = (n: keyof typeof people) => withConsent(h, supplier(), people[n]);

const redeem = (code: string, txCode: string | undefined, extra: Record<string, string> = {}, headers: Record<string, string> = {}) => redeemAt(h, code, txCode, extra, headers);
const nonce = (): Promise<string> => nonceAt(h);
/** A key proof for this gateway (see keyProof). */
const proof = (who: Holder, claims: Record<string, unknown>, o: { header?: Record<string, unknown>; signer?: Holder } = {}): Promise<string> => keyProof(who, credentialIssuer, claims, o);

const askCredential = (token: string, body: unknown, scheme = 'Bearer') =>
  h.call('POST', '/oid4vci/credential', { headers: { authorization: `${scheme} ${token}` }, body });

const verify = async (vc: unknown) => (await h.call('POST', '/credentials/verify', { body: { verifiableCredential: vc } })).json();

/** A fresh citizen session with a consent, its offer redeemed: the access token for its receipt. */
async function redeemedToken(n: keyof typeof people): Promise<{ b: IssuerBrowser; consentId: string; token: string }> {
  const { b, consentId } = await citizenWithConsent(n);
  const offer = await offerFor(b, consentId);
  const res = await redeem(codeOf(offer.uri), offer.txCode);
  expect(res.status, res.text).toBe(200);
  return { b, consentId, token: res.json().access_token as string };
}

describe('oid4vci: a receipt into an external wallet', () => {
  it('publishes the credential issuer metadata, and the issuer names the token endpoint and the grant', async () => {
    const res = await h.call('GET', '/.well-known/openid-credential-issuer');
    expect(res.status, res.text).toBe(200);
    const meta = res.json();
    const base = meta.credential_issuer as string;
    expect(base).toMatch(/^https:\/\/localhost:\d+$/);
    expect(meta).toMatchObject({
      authorization_servers: [OIDC_ISSUER],
      credential_endpoint: `${base}/oid4vci/credential`,
      nonce_endpoint: `${base}/oid4vci/nonce`,
    });
    const config = meta.credential_configurations_supported[CONFIGURATION];
    expect(config).toMatchObject({
      format: 'ldp_vc',
      credential_definition: { '@context': ['https://www.w3.org/ns/credentials/v2', `${base}/credentials/contexts/consent-receipt/v1`], type: ['VerifiableCredential', 'ConsentReceiptCredential'] },
      cryptographic_binding_methods_supported: ['did:key', 'did:jwk'],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256', 'EdDSA'] } },
    });
    expect(config.credential_metadata.display.map((d: { locale: string }) => d.locale)).toEqual(['en', 'de']);
    const discovery = (await h.call('GET', '/oidc/.well-known/openid-configuration')).json();
    expect(discovery.token_endpoint).toMatch(/^https:\/\/localhost(:\d+)?\/oidc\/token$/);
    expect(discovery.grant_types_supported).toContain(PRE_AUTHORIZED_GRANT);
  });

  it('plays a wallet: offer on the page, code redeemed, nonce, proof, a receipt bound to its did:key that verifies until the consent is withdrawn', async () => {
    const { b, consentId } = await citizenWithConsent('alice');
    const home = await b.get('/wallet');
    expect(home.text).toContain(`<form method="post" action="/wallet/consents/${encodeURIComponent(consentId)}/offer">`);
    expect(home.text).toContain('Add to my wallet');

    const offer = await offerFor(b, consentId);
    expect(offer.status, offer.text).toBe(200);
    expect(offer.text).toContain('Your wallet asks for this code');
    expect(offer.txCode).toMatch(/^\d{6}$/);
    expect(offer.uri).toMatch(/^openid-credential-offer:\/\/\?credential_offer=/);
    // The QR code is the link: the same URI makes the same markup.
    expect(offer.svg === (await offerQrSvg(offer.uri, 'QR code of the offer for your wallet')).text.trim(), 'the QR code encodes the link').toBe(true);
    const parsed = offerOf(offer.uri);
    const meta = (await h.call('GET', '/.well-known/openid-credential-issuer')).json();
    expect(parsed).toMatchObject({ credential_issuer: meta.credential_issuer, credential_configuration_ids: [CONFIGURATION] });
    expect(parsed?.grants[PRE_AUTHORIZED_GRANT]?.tx_code).toMatchObject({ input_mode: 'numeric', length: 6 });
    // The transaction code is on the page only, never in the offer.
    expect(offer.uri).not.toContain(offer.txCode === '' ? 'x' : `"${offer.txCode}"`);

    // No client_id: OID4VCI lets a wallet redeem anonymously.
    const tokens = await redeem(codeOf(offer.uri), offer.txCode);
    expect(tokens.status, tokens.text).toBe(200);
    const { access_token, token_type, expires_in } = tokens.json();
    expect(token_type).toBe('Bearer');
    expect(expires_in).toBeLessThanOrEqual(300);
    expect(decodeJwt(access_token)).toMatchObject({ iss: OIDC_ISSUER, aud: 'urn:mimtrust:oid4vci', sub: ids.alice, client_id: 'oid4vci-wallet', consents: [consentId] });
    // Its audience is the credential endpoint's: the gateway's data is closed to it.
    expect((await h.call('GET', '/ngsi-ld/v1/entities?type=EnergyMeter', { token: access_token })).status).toBe(401);

    const wallet = await holder();
    const res = await askCredential(access_token, { credential_configuration_id: CONFIGURATION, proofs: { jwt: [await proof(wallet, { nonce: await nonce() })] } });
    expect(res.status, res.text).toBe(200);
    const credential = res.json().credentials[0].credential;
    expect(credential.type).toEqual(['VerifiableCredential', 'ConsentReceiptCredential']);
    expect(credential.credentialSubject.id).toBe(consentId);
    expect(credential.credentialSubject.hasDataSubject.id).toBe(wallet.did);
    expect(credential.credentialStatus).toMatchObject({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation' });
    expect(await verify(credential)).toMatchObject({ verified: true, errors: [] });

    // Issued on the audit log, for the citizen and the consent.
    const db = new Database(h.config.store.path, { readonly: true });
    try {
      const rows = db.prepare('SELECT operation, sub, client_id, reason, targets FROM audit_records WHERE operation IN (?, ?) ORDER BY seq')
        .all(`token.${PRE_AUTHORIZED_GRANT}`, 'credential.oid4vci') as Array<{ operation: string; sub: string; client_id: string; reason: string; targets: string }>;
      expect(rows.slice(-2).map((r) => [r.operation, r.sub, r.client_id, r.reason])).toEqual([
        [`token.${PRE_AUTHORIZED_GRANT}`, ids.alice, 'oid4vci-wallet', 'token_issued'],
        ['credential.oid4vci', ids.alice, 'oid4vci-wallet', 'permitted'],
      ]);
      expect(JSON.parse(rows.at(-1)!.targets).entityIds).toEqual([consentId]);
    } finally {
      db.close();
    }

    // Withdrawn on the wallet page: the receipt in the wallet is revoked.
    const page = await b.get('/wallet');
    const withdraw = await b.post(`/wallet/consents/${encodeURIComponent(consentId)}/withdraw`, new URLSearchParams({ csrf: csrfOf(page.text) }));
    expect(withdraw.status).toBe(303);
    expect(await verify(credential)).toMatchObject({ verified: false, errors: [{ code: 'credential_revoked' }] });
  });

  it('takes a proof naming its key as a did:jwk in the header, and the earlier drafts\' single proof', async () => {
    const { token } = await redeemedToken('alice');
    const wallet = await holder();
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: (await toJwk({ keyPair: wallet.pair })).x };
    const jwt = await proof(wallet, { nonce: await nonce() }, { header: { kid: undefined, jwk } });
    const res = await askCredential(token, { credential_configuration_id: CONFIGURATION, proof: { proof_type: 'jwt', jwt } });
    expect(res.status, res.text).toBe(200);
    const subject = res.json().credentials[0].credential.credentialSubject.hasDataSubject.id as string;
    expect(subject).toBe(`did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`);
  });
});

describe('oid4vci: a wallet finds the authorization server', () => {
  it('at the RFC 8414 well-known URI of the metadata\'s authorization server: the token endpoint, the grant, anonymous redemption, DPoP', async () => {
    const meta = (await h.call('GET', '/.well-known/openid-credential-issuer')).json();
    const as = meta.authorization_servers[0] as string;
    // RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path.
    const wellKnown = `/.well-known/oauth-authorization-server${new URL(as).pathname}`;
    expect(wellKnown).toBe('/.well-known/oauth-authorization-server/oidc');
    const res = await h.call('GET', wellKnown);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = res.json();
    expect(doc).toMatchObject({ issuer: as, 'pre-authorized_grant_anonymous_access_supported': true });
    expect(doc.token_endpoint).toMatch(/^https:\/\/localhost(:\d+)?\/oidc\/token$/);
    expect(doc.grant_types_supported).toContain(PRE_AUTHORIZED_GRANT);
    expect(doc.dpop_signing_alg_values_supported).toContain('ES256');
    // The same document where oidc-provider serves it under its mount, and in the OpenID discovery document.
    expect((await h.call('GET', '/oidc/.well-known/oauth-authorization-server')).json()).toEqual(doc);
    expect((await h.call('GET', '/oidc/.well-known/openid-configuration')).json()).toMatchObject({ 'pre-authorized_grant_anonymous_access_supported': true });
  });
});

describe('oid4vci: a token bound to the wallet\'s DPoP key', () => {
  const credentialPath = '/oid4vci/credential';
  const tokenEndpoint = async (): Promise<string> => (await h.call('GET', '/oidc/.well-known/openid-configuration')).json().token_endpoint as string;
  const askWithProof = (token: string, body: unknown, proofJwt: string | undefined, scheme = 'DPoP') =>
    h.call('POST', credentialPath, { headers: { authorization: `${scheme} ${token}`, ...(proofJwt === undefined ? {} : { dpop: proofJwt }) }, body });
  const credentialBody = async () => ({ credential_configuration_id: CONFIGURATION, proofs: { jwt: [await proof(await holder(), { nonce: await nonce() })] } });

  it('is issued for a redemption with a DPoP proof, and opens the credential endpoint only with a fresh proof by that key', async () => {
    const { b, consentId } = await citizenWithConsent('bob');
    const offer = await offerFor(b, consentId);
    const key = await clientKey();
    const res = await redeem(codeOf(offer.uri), offer.txCode, {}, { dpop: await dpopProof(key, { htm: 'POST', htu: await tokenEndpoint() }) });
    expect(res.status, res.text).toBe(200);
    const { access_token, token_type } = res.json();
    expect(token_type).toBe('DPoP');
    expect(decodeJwt(access_token)).toMatchObject({ sub: ids.bob, consents: [consentId], cnf: { jkt: await thumbprint(key) } });
    const htu = `${credentialIssuer}${credentialPath}`;

    const asBearer = await askCredential(access_token, await credentialBody());
    expect(asBearer.status).toBe(401);
    expect(asBearer.json()).toMatchObject({ error: 'invalid_token' });
    expect(asBearer.text).not.toContain(access_token);

    const noProof = await askWithProof(access_token, await credentialBody(), undefined);
    expect(noProof.status).toBe(401);

    const otherKey = await askWithProof(access_token, await credentialBody(), await dpopProof(await clientKey(), { htm: 'POST', htu, accessToken: access_token }));
    expect(otherKey.status).toBe(401);
    expect(otherKey.json().error).toMatch(/^invalid_(token|dpop_proof)$/);

    const elsewhere = await askWithProof(access_token, await credentialBody(), await dpopProof(key, { htm: 'POST', htu: `${credentialIssuer}/oid4vci/nonce`, accessToken: access_token }));
    expect(elsewhere.status).toBe(401);

    const good = await dpopProof(key, { htm: 'POST', htu, accessToken: access_token });
    const ok = await askWithProof(access_token, await credentialBody(), good);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json().credentials[0].credential.credentialSubject.id).toBe(consentId);

    const replayed = await askWithProof(access_token, await credentialBody(), good);
    expect(replayed.status).toBe(401);
    expect(replayed.json()).toMatchObject({ error: 'invalid_dpop_proof' });

    // Issued as DPoP-bound, on the audit log.
    const db = new Database(h.config.store.path, { readonly: true });
    try {
      const row = db.prepare('SELECT binding FROM audit_records WHERE operation = ? AND sub = ? ORDER BY seq DESC LIMIT 1').get(`token.${PRE_AUTHORIZED_GRANT}`, ids.bob) as { binding: string };
      expect(row.binding).toBe('dpop');
    } finally {
      db.close();
    }
  });

  it('a bad or replayed proof at the token endpoint is refused without using the code up', async () => {
    const { b, consentId } = await citizenWithConsent('bob');
    const offer = await offerFor(b, consentId);
    const key = await clientKey();
    const endpoint = await tokenEndpoint();
    const elsewhere = await redeem(codeOf(offer.uri), offer.txCode, {}, { dpop: await dpopProof(key, { htm: 'POST', htu: 'https://elsewhere.example/token' }) });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.json().error).toBe('invalid_dpop_proof');

    const first = await dpopProof(key, { htm: 'POST', htu: endpoint });
    const other = await offerFor(b, consentId);
    expect((await redeem(codeOf(other.uri), other.txCode, {}, { dpop: first })).status).toBe(200);
    const replayed = await redeem(codeOf(offer.uri), offer.txCode, {}, { dpop: first });
    expect(replayed.status).toBe(400);
    expect(replayed.json().error).toBe('invalid_grant');
    expect(replayed.json().error_description ?? '').not.toMatch(/^pre_authorized_code/);

    const fresh = await redeem(codeOf(offer.uri), offer.txCode, {}, { dpop: await dpopProof(key, { htm: 'POST', htu: endpoint }) });
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.json().token_type).toBe('DPoP');
  });
});

describe('oid4vci: the API description', () => {
  it('describes the three routes, and their answers hold what it declares', async () => {
    const doc: OpenApi = (await h.call('GET', '/openapi.json')).json();
    expect(openApiProblems(doc)).toEqual([]);
    const check = schemaChecker(doc);
    const holds = (template: string, method: string, res: { status: number; headers: Record<string, unknown>; json: () => unknown }) => {
      const declared = declaredResponse(doc.paths[template][method], res.status);
      expect(declared, `${method} ${template} ${res.status}`).toBeDefined();
      const type = String(res.headers['content-type']).split(';')[0]!;
      const validate = check(declared!.content[type].schema);
      expect(validate(res.json()) ? [] : validate.errors).toEqual([]);
    };
    holds('/.well-known/openid-credential-issuer', 'get', await h.call('GET', '/.well-known/openid-credential-issuer'));
    holds('/oid4vci/nonce', 'post', await h.call('POST', '/oid4vci/nonce'));
    holds('/oid4vci/credential', 'post', await h.call('POST', '/oid4vci/credential', { body: { credential_configuration_id: CONFIGURATION } }));
    const { token } = await redeemedToken('bob');
    holds('/oid4vci/credential', 'post', await askCredential(token, { credential_configuration_id: CONFIGURATION, proofs: { jwt: [await proof(await holder(), { nonce: await nonce() })] } }));
    holds('/oid4vci/credential', 'post', await askCredential(token, { credential_configuration_id: 'Other', proofs: { jwt: ['a.b.c'] } }));
  });
});

describe('oid4vci: attacks', () => {
  it('a code is used once: a second redemption is refused and on the audit log with whose code it was', async () => {
    const { b, consentId } = await citizenWithConsent('alice');
    const offer = await offerFor(b, consentId);
    expect((await redeem(codeOf(offer.uri), offer.txCode)).status).toBe(200);
    const again = await redeem(codeOf(offer.uri), offer.txCode);
    expect(again.status).toBe(400);
    expect(again.json()).toMatchObject({ error: 'invalid_grant' });
    expect(again.json().error_description).toMatch(/^pre_authorized_code_used:/);
    const db = new Database(h.config.store.path, { readonly: true });
    try {
      const row = db.prepare('SELECT sub, effect, reason, targets FROM audit_records WHERE operation = ? ORDER BY seq DESC LIMIT 1').get(`token.${PRE_AUTHORIZED_GRANT}`) as { sub: string; effect: string; reason: string; targets: string };
      expect(row).toMatchObject({ sub: ids.alice, effect: 'deny', reason: 'pre_authorized_code_used' });
      expect(JSON.parse(row.targets).entityIds).toEqual([consentId]);
    } finally {
      db.close();
    }
  });

  it('a wrong or missing transaction code uses the code up: the right one afterwards is too late', async () => {
    const { b, consentId } = await citizenWithConsent('alice');
    const offer = await offerFor(b, consentId);
    const wrong = offer.txCode === '000000' ? '111111' : '000000';
    const refused = await redeem(codeOf(offer.uri), wrong);
    expect(refused.status).toBe(400);
    expect(refused.json().error_description).toMatch(/^tx_code_invalid:/);
    expect((await redeem(codeOf(offer.uri), offer.txCode)).json().error_description).toMatch(/^pre_authorized_code_used:/);
    const other = await offerFor(b, consentId);
    expect((await redeem(codeOf(other.uri), undefined)).json().error_description).toMatch(/^tx_code_invalid:/);
  });

  it('unknown codes are refused, whatever client a wallet names', async () => {
    const res = await redeem('not-a-code', '123456', { client_id: 'some-wallet' });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_grant' });
    expect(res.json().error_description).toMatch(/^pre_authorized_code_unknown:/);
  });

  it('no offer for another citizen\'s consent, nor for a withdrawn one; a token for a consent withdrawn since gets no receipt', async () => {
    const { b: alice, consentId } = await citizenWithConsent('alice');
    const bob = new IssuerBrowser(h);
    await walletSignIn(bob, people.bob);
    expect((await offerFor(bob, consentId)).status).toBe(404);

    const token = await (async () => {
      const offer = await offerFor(alice, consentId);
      return (await redeem(codeOf(offer.uri), offer.txCode)).json().access_token as string;
    })();
    const page = await alice.get('/wallet');
    await alice.post(`/wallet/consents/${encodeURIComponent(consentId)}/withdraw`, new URLSearchParams({ csrf: csrfOf(page.text) }));
    const withdrawn = await offerFor(alice, consentId);
    expect(withdrawn.status).toBe(403);
    expect(withdrawn.text).toContain('This consent is no longer in force');
    expect(withdrawn.uri).toBe('');
    const res = await askCredential(token, { credential_configuration_id: CONFIGURATION, proofs: { jwt: [await proof(await holder(), { nonce: await nonce() })] } });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ error: 'credential_request_denied' });
  });

  it('refuses proofs for another audience, with a nonce replayed or unknown, or signed by another key than they name', async () => {
    const { token } = await redeemedToken('alice');
    const wallet = await holder();
    const ask = async (jwt: string) => askCredential(token, { credential_configuration_id: CONFIGURATION, proofs: { jwt: [jwt] } });

    const elsewhere = await ask(await proof(wallet, { nonce: await nonce(), aud: 'https://other-issuer.example' }));
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.json()).toMatchObject({ error: 'invalid_proof' });

    const unknown = await ask(await proof(wallet, { nonce: 'never-handed-out' }));
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({ error: 'invalid_nonce' });

    const n = await nonce();
    expect((await ask(await proof(wallet, { nonce: n }))).status).toBe(200);
    const replayed = await ask(await proof(wallet, { nonce: n }));
    expect(replayed.status).toBe(400);
    expect(replayed.json()).toMatchObject({ error: 'invalid_nonce' });

    const forged = await ask(await proof(wallet, { nonce: await nonce() }, { signer: await holder() }));
    expect(forged.status).toBe(400);
    expect(forged.json()).toMatchObject({ error: 'invalid_proof' });

    const typ = await ask(await proof(wallet, { nonce: await nonce() }, { header: { typ: 'JWT' } }));
    expect(typ.json()).toMatchObject({ error: 'invalid_proof' });

    const stale = await ask(await proof(wallet, { nonce: await nonce(), iat: Math.floor(Date.now() / 1000) - 3600 }));
    expect(stale.json()).toMatchObject({ error: 'invalid_proof' });

    const otherConfiguration = await askCredential(token, { credential_configuration_id: 'SomethingElse', proofs: { jwt: [await proof(wallet, { nonce: await nonce() })] } });
    expect(otherConfiguration.json()).toMatchObject({ error: 'unknown_credential_configuration' });
    const noProof = await askCredential(token, { credential_configuration_id: CONFIGURATION });
    expect(noProof.json()).toMatchObject({ error: 'invalid_proof' });
  });

  it('opens the credential endpoint to the grant\'s own tokens only: not to a client_credentials token, nor to none', async () => {
    const cc = await postForm(h, '/oidc/token', { grant_type: 'client_credentials', ...(await assertionParams('org-client', org)) });
    expect(cc.status, cc.text).toBe(200);
    const wallet = await holder();
    const body = { credential_configuration_id: CONFIGURATION, proofs: { jwt: [await proof(wallet, { nonce: await nonce() })] } };
    const res = await askCredential(cc.json().access_token, body);
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_token' });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    const none = await h.call('POST', '/oid4vci/credential', { body });
    expect(none.status).toBe(401);
    expect(none.json()).toMatchObject({ error: 'invalid_token' });
    // Nor can a client ask the issuer for a token of the credential endpoint's audience.
    const aimed = await postForm(h, '/oidc/token', { grant_type: 'client_credentials', resource: 'urn:mimtrust:oid4vci', ...(await assertionParams('org-client', org)) });
    expect(aimed.status).toBe(400);
  });
});
