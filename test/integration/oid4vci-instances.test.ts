/**
 * OID4VCI on two real gateway instances sharing one PostgreSQL database, a wallet sent to
 * either by a load balancer: an offer shown on one instance's wallet page is redeemed at
 * the other, once, even when both are asked at once, and a second use anywhere is named
 * as one on the audit log; a nonce handed out by one is accepted once, wherever; a citizen's
 * bound of open offers holds across both; a DPoP proof used at one is a replay at the
 * other; a store that cannot be reached refuses, losing no code.
 * Needs MIMTRUST_TEST_POSTGRES_URL.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { Accounts } from '../../src/accounts/index.js';
import { PRE_AUTHORIZED_GRANT } from '../../src/credentials/index.js';
import { openPostgres, PgAccountStore } from '../../src/store/index.js';
import { startHarness, REPO, type Harness } from '../helpers/harness.js';
import { freshSchema, havePostgres, warnIfNoPostgres, type TestSchema } from '../helpers/postgres.js';
import { OIDC_ISSUER, clientKey, type ClientKey } from '../helpers/oidc.js';
import { dpopProof } from '../helpers/dpop.js';
import { CONFIGURATION, citizenWithConsent, codeOf, holder, keyProof, nonceAt, offerFor, redeemAt } from '../helpers/oid4vci.js';
import { supplierApp, type Person } from '../helpers/wallet.js';

warnIfNoPostgres('OID4VCI on two instances');

const REDIRECT = 'https://supplier.example/callback';
const alice: Person = { username: 'alice', password: 'alice has a long password' };

describe.skipIf(!havePostgres())('OID4VCI on two instances of one PostgreSQL database', () => {
  let schema: TestSchema;
  let a: Harness;
  let b: Harness;
  let app: ClientKey;
  let aliceId: string;
  const issuerOf = new Map<Harness, string>();

  beforeAll(async () => {
    schema = await freshSchema();
    app = await clientKey();
    const settings = {
      store: { url: schema.url },
      contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
      oidc: {
        enabled: true,
        issuer: OIDC_ISSUER,
        clients: [supplierApp(REDIRECT, app)],
      },
    };
    a = await startHarness(settings);
    b = await startHarness(settings, { alongside: a });
    const pool = await openPostgres(schema.url);
    try {
      aliceId = (await new Accounts(new PgAccountStore(pool)).add(alice.username, alice.password, Date.now())).id;
    } finally {
      await pool.end();
    }
    for (const h of [a, b]) issuerOf.set(h, (await h.call('GET', '/.well-known/openid-credential-issuer')).json().credential_issuer as string);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await schema?.drop();
  });

  const supplier = () => ({ clientId: 'supplier-app', key: app, redirectUri: REDIRECT, purpose: 'dpv:ServiceProvision' });

  /** A credential request at `h` with a key proof for `nonce`. */
  async function askCredential(h: Harness, token: string, nonce: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
    const jwt = await keyProof(await holder(), issuerOf.get(h) as string, { nonce });
    return h.call('POST', '/oid4vci/credential', { headers, body: { credential_configuration_id: CONFIGURATION, proofs: { jwt: [jwt] } } });
  }

  it('an offer shown on one instance is redeemed at the other, once; a second use at either is named on the audit log', async () => {
    const { b: browser, consentId } = await citizenWithConsent(a, supplier(), alice);
    const offer = await offerFor(browser, consentId);
    expect(offer.status, offer.text).toBe(200);
    const first = await redeemAt(b, codeOf(offer.uri), offer.txCode);
    expect(first.status, first.text).toBe(200);
    const token = first.json().access_token as string;
    expect(decodeJwt(token)).toMatchObject({ sub: aliceId, consents: [consentId] });
    for (const h of [a, b]) {
      const again = await redeemAt(h, codeOf(offer.uri), offer.txCode);
      expect(again.status).toBe(400);
      expect(again.json().error_description).toMatch(/^pre_authorized_code_used:/);
    }
    const rows = await schema.query<{ sub: string; reason: string; targets: string }>(
      'SELECT sub, reason, targets FROM audit_records WHERE operation = $1 AND effect = $2 ORDER BY time', [`token.${PRE_AUTHORIZED_GRANT}`, 'deny'],
    );
    expect(rows.filter((r) => r.reason === 'pre_authorized_code_used').map((r) => [r.sub, JSON.parse(r.targets).entityIds])).toEqual([[aliceId, [consentId]], [aliceId, [consentId]]]);
    // The token from B opens A's credential endpoint, with a nonce from B.
    const res = await askCredential(a, token, await nonceAt(b));
    expect(res.status, res.text).toBe(200);
    expect(res.json().credentials[0].credential.credentialSubject.id).toBe(consentId);
  });

  it('a code sent to both instances at once is redeemed by one of them only', async () => {
    const { b: browser, consentId } = await citizenWithConsent(b, supplier(), alice);
    for (let round = 0; round < 3; round++) {
      const offer = await offerFor(browser, consentId);
      const answers = await Promise.all([redeemAt(a, codeOf(offer.uri), offer.txCode), redeemAt(b, codeOf(offer.uri), offer.txCode)]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
      expect(answers.find((r) => r.status === 400)?.json().error).toBe('invalid_grant');
    }
  });

  it('a nonce handed out by one instance is accepted once, at either', async () => {
    const { b: browser, consentId } = await citizenWithConsent(a, supplier(), alice);
    const offer = await offerFor(browser, consentId);
    const token = (await redeemAt(a, codeOf(offer.uri), offer.txCode)).json().access_token as string;
    const nonce = await nonceAt(a);
    const first = await askCredential(b, token, nonce);
    expect(first.status, first.text).toBe(200);
    for (const h of [b, a]) {
      const again = await askCredential(h, token, nonce);
      expect(again.status).toBe(400);
      expect(again.json()).toMatchObject({ error: 'invalid_nonce' });
    }
  });

  it('a citizen\'s bound of open offers holds across both instances: the oldest gives way', async () => {
    const { b: browser, consentId } = await citizenWithConsent(a, supplier(), alice);
    // Five at most (credentials.oid4vci.maxCodesPerCitizen), made at A and B in turn.
    const offers = [];
    for (let i = 0; i < 6; i++) {
      const offer = await offerFor(browser.at(i % 2 === 0 ? a : b), consentId);
      expect(offer.status, offer.text).toBe(200);
      offers.push(offer);
    }
    const reasons = [];
    for (const offer of offers) {
      const res = await redeemAt(b, codeOf(offer.uri), offer.txCode);
      reasons.push(res.status === 200 ? 'redeemed' : String(res.json().error_description).split(':')[0]);
    }
    expect(reasons).toEqual(['pre_authorized_code_unknown', 'redeemed', 'redeemed', 'redeemed', 'redeemed', 'redeemed']);
  });

  it('a store that cannot be reached refuses (503) at the nonce and token endpoints, and the code is not used up', async () => {
    const { b: browser, consentId } = await citizenWithConsent(a, supplier(), alice);
    const offer = await offerFor(browser, consentId);
    await schema.tamper('ALTER TABLE expiring_keys RENAME TO expiring_keys_away');
    try {
      const nonce = await a.call('POST', '/oid4vci/nonce');
      expect(nonce.status).toBe(503);
      expect(nonce.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(nonce.json().detail).toMatch(/could not be reached/);
      const token = await redeemAt(b, codeOf(offer.uri), offer.txCode);
      expect(token.status).toBe(503);
      expect(token.json().error).toBe('temporarily_unavailable');
      expect(token.json().error_description).toMatch(/^shared_state_unavailable:/);
    } finally {
      await schema.tamper('ALTER TABLE expiring_keys_away RENAME TO expiring_keys');
    }
    const later = await redeemAt(b, codeOf(offer.uri), offer.txCode);
    expect(later.status, later.text).toBe(200);
  });

  it('a DPoP-bound token: a proof used at one instance is a replay at the other', async () => {
    const { b: browser, consentId } = await citizenWithConsent(b, supplier(), alice);
    const offer = await offerFor(browser, consentId);
    const key = await clientKey();
    // Both instances answer for one address behind a load balancer: each request names A's.
    const host = new URL(issuerOf.get(a) as string).host;
    const tokenEndpoint = (await a.call('GET', '/oidc/.well-known/openid-configuration')).json().token_endpoint as string;
    const tokenProof = await dpopProof(key, { htm: 'POST', htu: tokenEndpoint });
    const redeemed = await redeemAt(a, codeOf(offer.uri), offer.txCode, {}, { dpop: tokenProof });
    expect(redeemed.status, redeemed.text).toBe(200);
    const token = redeemed.json().access_token as string;
    // The proof again at the other instance's token endpoint, with a fresh offer: a replay, and that code not used up.
    const other = await offerFor(browser, consentId);
    const replayedAtToken = await redeemAt(b, codeOf(other.uri), other.txCode, {}, { dpop: tokenProof, host });
    expect(replayedAtToken.status).toBe(400);
    expect(replayedAtToken.json().error).toBe('invalid_grant');
    expect(replayedAtToken.json().error_description ?? '').not.toMatch(/^pre_authorized_code/);
    expect((await redeemAt(b, codeOf(other.uri), other.txCode, {}, { host })).status).toBe(200);

    const proof = await dpopProof(key, { htm: 'POST', htu: `${issuerOf.get(a)}/oid4vci/credential`, accessToken: token });
    const first = await askCredential(a, token, await nonceAt(a), { authorization: `DPoP ${token}`, dpop: proof });
    expect(first.status, first.text).toBe(200);
    const replayed = await askCredential(b, token, await nonceAt(b), { authorization: `DPoP ${token}`, dpop: proof, host });
    expect(replayed.status).toBe(401);
    expect(replayed.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    expect(replayed.json().detail ?? replayed.text).toMatch(/repla|used/i);
  });
});
