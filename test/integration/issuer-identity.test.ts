/**
 * A caller is its issuer and its name. The real gateway over HTTPS trusts three issuers:
 * the local one (`local`, the city's own), the harness's (the city's identity service,
 * marked `cityOwn`) and a partner's (`partner-idp`, serving its own JWKS on 127.0.0.1).
 * The partner signs tokens whose `sub` and `client_id` are a local client's name, and tries
 * to use that client's contracts and quota. Contracts: test/fixtures/contracts-issuers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AUDIENCE, ISSUER, REPO, startHarness, startIssuer, token, type Harness, type Issuer } from '../helpers/harness.js';
import { verifyCli } from '../helpers/audit-tamper.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { loadOrCreateSigningKey } from '../../src/keys/index.js';
import { issueLocalToken, LOCAL_ISSUER_KEY_NAME } from '../../src/issuer/index.js';

const E = '/ngsi-ld/v1/entities';
const PARTNER_ISS = 'https://idp.partner.test';
const LOCAL_ISS = 'urn:mimtrust:local-issuer';
const CONTRACTS = join(REPO, 'test', 'fixtures', 'contracts-issuers');
const OPERATOR = 'parking-operator-client';
const LOCAL_ISSUER_WARNING = /^the local issuer is enabled next to external issuers/;

interface World {
  h: Harness;
  partner: Issuer;
  /** A token for `client` (as `sub` and `client_id`) from the local, the city's or the partner's issuer. */
  local(client: string): Promise<string>;
  city(client: string): Promise<string>;
  fromPartner(client: string): Promise<string>;
  /** Status of a query for one entity type. */
  read(type: string, bearer: string): Promise<number>;
  close(): Promise<void>;
}

const open: World[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
});

async function startWorld(overrides: Record<string, unknown> = {}, extraIssuers: Array<Record<string, unknown>> = []): Promise<World> {
  const partner = await startIssuer();
  let h: Harness;
  try {
    h = await startHarness({ contractsDir: CONTRACTS, ...overrides }, {
      moreIssuers: [{ issuer: PARTNER_ISS, name: 'partner-idp', jwksUri: partner.url, audience: AUDIENCE, rolesClaim: 'roles', acceptRoles: ['viewer'] }, ...extraIssuers],
    });
  } catch (err) {
    await partner.close();
    throw err;
  }
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
  h.broker.seed({ id: 'urn:ngsi-ld:OffStreetParking:1', type: 'OffStreetParking', name: { type: 'Property', value: 'Garage' } });
  const claims = (client: string) => ({ sub: client, roles: ['viewer'], extra: { client_id: client } });
  const w: World = {
    h,
    partner,
    async local(client) {
      const key = await loadOrCreateSigningKey(h.config.keysDir, LOCAL_ISSUER_KEY_NAME);
      return issueLocalToken(key, h.config.localIssuer, { sub: client, clientId: client, roles: ['viewer'], ttlSec: 300 });
    },
    city: (client) => token(h.issuer, claims(client)),
    fromPartner: (client) => token(partner, { ...claims(client), iss: PARTNER_ISS }),
    read: async (type, bearer) => (await h.call('GET', `${E}?type=${type}`, { token: bearer })).status,
    async close() {
      await h.close();
      await partner.close();
    },
  };
  open.push(w);
  return w;
}

interface AuditRow { issuer: string | null; client_id: string | null; effect: string; reason: string; rules: string | null }

function auditRows(h: Harness, client: string): AuditRow[] {
  // How each exchange ended: its outcome or its refusal (a permitted read's decision is recorded before its outcome).
  const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
  try {
    return db.prepare("SELECT issuer, client_id, effect, reason, rules FROM audit_records WHERE client_id = ? AND reason <> 'before_effect' ORDER BY seq").all(client) as AuditRow[];
  } finally {
    db.close();
  }
}

describe('a partner issuer cannot borrow a local client\'s name', () => {
  it('its token with the local client\'s sub and client_id matches none of that client\'s contracts and uses none of its quota', async () => {
    const w = await startWorld();
    const partnerToken = await w.fromPartner(OPERATOR);
    for (let i = 0; i < 3; i++) expect(await w.read('ParkingSpot', partnerToken)).toBe(403);
    // The local client's quota of 2 is whole: the partner's attempts counted for nothing.
    const localToken = await w.local(OPERATOR);
    expect(await w.read('ParkingSpot', localToken)).toBe(200);
    expect(await w.read('ParkingSpot', localToken)).toBe(200);
    expect(await w.read('ParkingSpot', localToken)).toBe(403);
    // The city's own identity service has a client of that name too: a caller of its own,
    // matched by the unprefixed assignee, with a quota of its own.
    expect(await w.read('ParkingSpot', await w.city(OPERATOR))).toBe(200);

    const rows = auditRows(w.h, OPERATOR);
    expect(rows.map((r) => [r.issuer, r.effect, r.reason])).toEqual([
      [PARTNER_ISS, 'deny', 'no_matching_permission'],
      [PARTNER_ISS, 'deny', 'no_matching_permission'],
      [PARTNER_ISS, 'deny', 'no_matching_permission'],
      [LOCAL_ISS, 'permit', 'permitted'],
      [LOCAL_ISS, 'permit', 'permitted'],
      [LOCAL_ISS, 'deny', 'constraint_not_satisfied'],
      [ISSUER, 'permit', 'permitted'],
    ]);
    for (const r of rows.filter((x) => x.effect === 'permit')) expect(JSON.parse(r.rules!)).toEqual(['urn:test:issuers:operator#quota']);
  });

  it('an assignee prefixed with the partner\'s name matches the partner\'s caller, and no one else of that name', async () => {
    const w = await startWorld();
    const res = await w.h.call('GET', `${E}?type=ParkingSpot`, { token: await w.fromPartner('fleet-client') });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([{ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } }]);
    expect(await w.read('ParkingSpot', await w.local('fleet-client'))).toBe(403);
    expect(await w.read('ParkingSpot', await w.city('fleet-client'))).toBe(403);
    expect(auditRows(w.h, 'fleet-client').map((r) => [r.issuer, r.effect])).toEqual([[PARTNER_ISS, 'permit'], [LOCAL_ISS, 'deny'], [ISSUER, 'deny']]);
  });

  it('one rule naming the same client at two issuers keeps a quota for each, and warns of no local issuer once it is off', async () => {
    const w = await startWorld({ localIssuer: { enabled: false } });
    const city = await w.city(OPERATOR);
    const partner = await w.fromPartner(OPERATOR);
    expect(await w.read('OffStreetParking', city)).toBe(200);
    expect(await w.read('OffStreetParking', city)).toBe(200);
    expect(await w.read('OffStreetParking', city)).toBe(403);
    expect(await w.read('OffStreetParking', partner)).toBe(200);
    expect(await w.read('OffStreetParking', partner)).toBe(200);
    expect(await w.read('OffStreetParking', partner)).toBe(403);
    expect(w.h.logs.some((l) => LOCAL_ISSUER_WARNING.test(l))).toBe(false);
  });

  it('audit records name the issuer, and the chain that holds them verifies', async () => {
    const w = await startWorld();
    expect(w.h.logs.filter((l) => LOCAL_ISSUER_WARNING.test(l))).toHaveLength(1);
    await w.read('ParkingSpot', await w.fromPartner(OPERATOR));
    await w.read('ParkingSpot', await w.local(OPERATOR));
    expect(auditRows(w.h, OPERATOR).map((r) => r.issuer)).toEqual([PARTNER_ISS, LOCAL_ISS]);
    open.splice(open.indexOf(w), 1);
    await w.close();
    const verified = verifyCli(w.h.dir);
    expect(verified.out).toContain('intact');
    expect(verified.code).toBe(0);
  });
});

describe('contracts name only trusted issuers', () => {
  const naming = (assignee: string) => ({
    '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
    '@type': 'Agreement',
    uid: 'urn:test:issuers:stranger',
    profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
    permission: [{ uid: 'read', target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'ParkingSpot' }] }, assignee, action: 'ngsi:read' }],
  });

  it('an unknown issuer prefix keeps that contract out, naming the file, the rule, the party and the trusted names; the start goes on', async () => {
    const dir = makeTempDir('contracts');
    writeFileSync(join(dir, 'stranger.jsonld'), JSON.stringify(naming('@nobody/parking-operator-client')));
    const w = await startWorld({ contractsDir: dir });
    const reported = w.h.logs.find((l) => l.startsWith('contract stranger.jsonld not loaded (ERR_CONTRACT_UNKNOWN_ISSUER)'));
    expect(reported).toContain('stranger.jsonld: rule "read": "nobody" is not the name of a trusted issuer (trusted: local, issuer-test-mimtrust, partner-idp) ("@nobody/parking-operator-client")');
    expect(reported).toContain('nothing of it is in force');
    const admin = await token(w.h.issuer, { roles: ['contract-admin'] });
    const documents = (await w.h.call('GET', '/admin/contract-documents', { token: admin })).json() as Array<Record<string, unknown>>;
    expect(documents).toEqual([{ source: 'stranger.jsonld', state: 'absent', problem: expect.objectContaining({ code: 'ERR_CONTRACT_UNKNOWN_ISSUER' }) }]);
    expect(await w.read('ParkingSpot', await w.local('parking-operator-client'))).toBe(403);
  });

  it('the admin API refuses such a contract with a 400 naming the party, and the dry run asks as a caller of a named issuer', async () => {
    const w = await startWorld();
    const admin = await token(w.h.issuer, { roles: ['contract-admin'] });
    const refused = await w.h.call('POST', '/admin/contracts', { token: admin, body: naming('@nobody/fleet-client') });
    expect(refused.status).toBe(400);
    expect(refused.json().detail).toContain('"@nobody/fleet-client"');
    expect(refused.json().detail).toContain('not the name of a trusted issuer');
    expect((await w.h.call('GET', '/admin/contracts', { token: admin })).json().map((c: { uid: string }) => c.uid)).not.toContain('urn:test:issuers:stranger');
    expect((await w.h.call('POST', '/admin/contracts', { token: admin, body: naming('@partner-idp/fleet-client') })).status).toBe(201);

    const ask = async (caller: Record<string, unknown>) => w.h.call('POST', '/admin/decisions', { token: admin, body: {
      request: { method: 'GET', url: `${E}?type=OffStreetParking` }, caller: { clientId: OPERATOR, roles: ['viewer'], ...caller },
    } });
    expect((await ask({})).json()).toMatchObject({ effect: 'permit', rules: [{ contract: 'urn:test:issuers:shared', rule: 'quota' }] });
    expect((await ask({ issuer: 'partner-idp' })).json()).toMatchObject({ effect: 'permit' });
    expect((await ask({ issuer: 'partner-idp', clientId: 'other-client' })).json()).toMatchObject({ effect: 'deny', reason: 'no_matching_permission' });
    const unknown = await ask({ issuer: 'nobody' });
    expect(unknown.status).toBe(400);
    expect(unknown.json().detail).toBe('caller.issuer is not the name of a trusted issuer.');
  });
});

describe('a partner issuer grants only the roles the city accepts from it', () => {
  it('a partner token claiming an administrator role gets no admin right, and keeps the roles it may grant', async () => {
    const w = await startWorld();
    const claimsAdmin = await token(w.partner, { iss: PARTNER_ISS, sub: 'mallory', roles: ['viewer', 'contract-admin', 'admin'], extra: { client_id: 'mallory' } });
    const admin = await w.h.call('GET', '/admin/contracts', { token: claimsAdmin });
    expect(admin.status).toBe(403);
    expect(admin.json()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    // The same token still acts with the role the partner may grant: roles let its read
    // through to the contracts, which grant nothing to this caller.
    await w.read('ParkingSpot', claimsAdmin);
    expect(auditRows(w.h, 'mallory').map((r) => r.reason)).toEqual(['role_denied', 'no_matching_permission']);
    // The city's own issuer grants the administrator role as before.
    const cityAdmin = await token(w.h.issuer, { roles: ['contract-admin'] });
    expect((await w.h.call('GET', '/admin/contracts', { token: cityAdmin })).status).toBe(200);
  });

  it('an issuer that is not the city\'s own and lists no roles grants none', async () => {
    const other = await startIssuer();
    try {
      const w = await startWorld({}, [{ issuer: 'https://idp.other.test', name: 'other-idp', jwksUri: other.url, audience: AUDIENCE, rolesClaim: 'roles' }]);
      const t = await token(other, { iss: 'https://idp.other.test', roles: ['viewer', 'contract-admin'] });
      const res = await w.h.call('GET', `${E}?type=ParkingSpot`, { token: t });
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({ status: 403 });
      expect((await w.h.call('GET', '/admin/contracts', { token: t })).status).toBe(403);
    } finally {
      await other.close();
    }
  });
});
