/**
 * Organisations and recipients, over HTTPS against the real gateway. Four issuers are
 * trusted: the harness's (the city's, for administrators), the city's identity service
 * `city-idm` (the city's own; organisation in `organisation.id`, recipient in `recipient`,
 * callers may declare a recipient with `Mimtrust-Recipient`), a partner's `partner-idp`
 * (organisation in `org_id`, no recipient header) and the local issuer (`mimtrust token
 * --org/--recipient`). Contracts: test/fixtures/contracts-parties.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeJwt } from 'jose';
import { AUDIENCE, REPO, startHarness, startIssuer, token, type Harness, type Issuer } from '../helpers/harness.js';
import { loadOrCreateSigningKey } from '../../src/keys/index.js';
import { issueLocalToken, LOCAL_ISSUER_KEY_NAME } from '../../src/issuer/index.js';

const E = '/ngsi-ld/v1/entities';
const S = '/ngsi-ld/v1/subscriptions';
const CITY_IDM = 'https://idm.city.test';
const PARTNER = 'https://idp.partner.test';
const LAB = 'did:web:lab.example';
const CLI = join(REPO, 'dist', 'cli', 'index.js');

let h: Harness;
let cityIdm: Issuer;
let partner: Issuer;
let endpoint: Server;
let endpointUrl = '';
const delivered: unknown[] = [];

interface Caller { sub: string; organisation?: unknown; recipient?: string; roles?: string[] }

const fromCity = (c: Caller) => token(cityIdm, {
  iss: CITY_IDM, sub: c.sub, roles: c.roles ?? ['viewer'],
  extra: { client_id: c.sub, ...(c.organisation !== undefined ? { organisation: { id: c.organisation } } : {}), ...(c.recipient ? { recipient: c.recipient } : {}) },
});
const fromPartner = (c: Caller) => token(partner, {
  iss: PARTNER, sub: c.sub, roles: ['viewer'],
  extra: { client_id: c.sub, ...(c.organisation !== undefined ? { org_id: c.organisation } : {}) },
});
async function fromLocal(c: Caller & { organisation?: string }): Promise<string> {
  const key = await loadOrCreateSigningKey(h.config.keysDir, LOCAL_ISSUER_KEY_NAME);
  return issueLocalToken(key, h.config.localIssuer, {
    sub: c.sub, roles: c.roles ?? ['viewer'], ttlSec: 300,
    ...(c.organisation !== undefined ? { organisation: c.organisation } : {}),
    ...(c.recipient ? { recipient: c.recipient } : {}),
  });
}
const admin = () => token(h.issuer, { sub: 'carol', roles: ['contract-admin'] });

const query = (type: string, bearer: string, headers: Record<string, string | string[]> = {}) =>
  h.call('GET', `${E}?type=${type}`, { token: bearer, headers });

function auditOf(sub: string): Array<{ issuer: string; effect: string; reason: string }> {
  const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
  try {
    return db.prepare('SELECT issuer, effect, reason FROM audit_records WHERE sub = ? ORDER BY seq').all(sub) as never;
  } finally {
    db.close();
  }
}

const meter = (n: number) => ({
  id: `urn:ngsi-ld:WaterMeter:${n}`,
  type: 'WaterMeter',
  totalConsumption: { type: 'Property', value: 100 * n },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.17, 41.38] } },
  customer: { type: 'Property', value: `household ${n}` },
});
const air = { id: 'urn:ngsi-ld:AirQualityObserved:1', type: 'AirQualityObserved', NO2: { type: 'Property', value: 22 } };

beforeAll(async () => {
  cityIdm = await startIssuer();
  partner = await startIssuer();
  endpoint = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      delivered.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}`;
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-parties'),
    subscriptions: { endpoints: { allowSchemes: ['https', 'http'], allowLoopback: true } },
  }, {
    moreIssuers: [
      {
        issuer: CITY_IDM, name: 'city-idm', cityOwn: true, jwksUri: cityIdm.url, audience: AUDIENCE, rolesClaim: 'roles',
        organisationClaim: 'organisation.id', recipientClaim: 'recipient', allowRecipientHeader: true,
      },
      { issuer: PARTNER, name: 'partner-idp', jwksUri: partner.url, audience: AUDIENCE, rolesClaim: 'roles', acceptRoles: ['viewer'], organisationClaim: 'org_id' },
    ],
  });
  h.broker.trust(h.ca);
  for (const n of [1, 2]) h.broker.seed(meter(n));
  h.broker.seed(air);
});
afterAll(async () => {
  await h?.close();
  await cityIdm?.close();
  await partner?.close();
  endpoint?.closeAllConnections();
  await new Promise((r) => endpoint?.close(r));
});

describe('an organisation named by a contract', () => {
  const officeView = [1, 2].map((n) => ({
    id: `urn:ngsi-ld:WaterMeter:${n}`, type: 'WaterMeter',
    totalConsumption: meter(n).totalConsumption, location: meter(n).location,
  }));

  it('is every member of it, at any of the city\'s own issuers, and each sees the office\'s view', async () => {
    const members = [
      await fromCity({ sub: 'ana', organisation: 'stats-office' }),
      await fromCity({ sub: 'batch-job', organisation: ['stats-office'] }),
      await fromLocal({ sub: 'lea', organisation: 'stats-office' }),
    ];
    for (const bearer of members) {
      const res = await query('WaterMeter', bearer);
      expect(res.status, res.text).toBe(200);
      expect(res.json()).toEqual(officeView);
    }
    // Someone of another department, or of none, is not the office.
    expect((await query('WaterMeter', await fromCity({ sub: 'pau', organisation: 'parks-dept' }))).status).toBe(403);
    expect((await query('WaterMeter', await fromCity({ sub: 'nobody' }))).status).toBe(403);
    expect(auditOf('pau')).toEqual([{ issuer: CITY_IDM, effect: 'deny', reason: 'no_matching_permission' }]);
  });

  it('is not a partner\'s caller claiming the office\'s name; a partner\'s organisation is matched when the contract names its issuer', async () => {
    const claimsOffice = await query('WaterMeter', await fromPartner({ sub: 'mallory', organisation: 'stats-office' }));
    expect(claimsOffice.status).toBe(403);
    expect(claimsOffice.json()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(auditOf('mallory').slice(0, 1)).toEqual([{ issuer: PARTNER, effect: 'deny', reason: 'no_matching_permission' }]);

    const fleet = await query('WaterMeter', await fromPartner({ sub: 'van-7', organisation: 'fleet-co' }));
    expect(fleet.status).toBe(200);
    expect(fleet.json()).toEqual([meter(1), meter(2)]);
    // The city's own caller of that name is someone else.
    expect((await query('WaterMeter', await fromCity({ sub: 'fc', organisation: 'fleet-co' }))).status).toBe(403);
  });

  it('shares a count kept for the whole department, at its issuer', async () => {
    const read = async (bearer: string) => (await query('WaterQualityObserved', bearer)).status;
    expect(await read(await fromCity({ sub: 'ana', organisation: 'stats-office' }))).toBe(200);
    expect(await read(await fromCity({ sub: 'batch-job', organisation: 'stats-office' }))).toBe(200);
    // A third member finds the office's quota used up by the other two.
    expect(await read(await fromCity({ sub: 'newcomer', organisation: 'stats-office' }))).toBe(403);
    expect(auditOf('newcomer')).toEqual([{ issuer: CITY_IDM, effect: 'deny', reason: 'constraint_not_satisfied' }]);
    // The office as the local issuer names it is counted apart, and a partner's namesake not at all.
    expect(await read(await fromLocal({ sub: 'lea', organisation: 'stats-office' }))).toBe(200);
    expect(await read(await fromPartner({ sub: 'mallory', organisation: 'stats-office' }))).toBe(403);
  });

  it('a token naming several organisations, or one of the wrong shape, is refused rather than narrowed', async () => {
    for (const organisation of [['stats-office', 'data-broker'], 7, '']) {
      const res = await query('WaterMeter', await fromCity({ sub: 'multi', organisation }));
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    }
  });
});

describe('a declared recipient', () => {
  it('meets a recipient permission when the issuer declares it in the token; the caller alone does not', async () => {
    const alone = await query('AirQualityObserved', await fromCity({ sub: 'rita' }));
    expect(alone.status).toBe(403);
    expect(auditOf('rita')).toEqual([{ issuer: CITY_IDM, effect: 'deny', reason: 'constraint_not_satisfied' }]);
    const forLab = await query('AirQualityObserved', await fromCity({ sub: 'rita', recipient: LAB }));
    expect(forLab.status).toBe(200);
    expect(forLab.json()).toEqual([air]);
    expect((await query('AirQualityObserved', await fromLocal({ sub: 'rita', recipient: LAB }))).status).toBe(200);
  });

  it('may come from the caller in Mimtrust-Recipient only where its issuer allows it, and never reaches the broker', async () => {
    const before = h.broker.requests.length;
    const declared = await query('AirQualityObserved', await fromCity({ sub: 'hana' }), { 'mimtrust-recipient': LAB });
    expect(declared.status, declared.text).toBe(200);
    const seen = h.broker.requests.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['mimtrust-recipient']).toBeUndefined();

    for (const bearer of [await fromLocal({ sub: 'hana-local' }), await fromPartner({ sub: 'hana-partner' })]) {
      const count = h.broker.requests.length;
      const refused = await query('AirQualityObserved', bearer, { 'Mimtrust-Recipient': LAB });
      expect(refused.status).toBe(403);
      expect(refused.json()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect(refused.json().detail).toContain('does not let its callers declare a recipient');
      expect(h.broker.requests.length).toBe(count);
    }
    expect(auditOf('hana-partner')).toEqual([{ issuer: PARTNER, effect: 'deny', reason: 'recipient_not_declarable' }]);
  });

  it('in a header may repeat the token\'s recipient but not contradict it, and must be one party id', async () => {
    const pinned = await fromCity({ sub: 'pinned', recipient: LAB });
    expect((await query('AirQualityObserved', pinned, { 'mimtrust-recipient': LAB })).status).toBe(200);
    const other = await query('AirQualityObserved', pinned, { 'mimtrust-recipient': 'did:web:elsewhere.example' });
    expect(other.status).toBe(403);
    expect(auditOf('pinned').at(-1)).toMatchObject({ effect: 'deny', reason: 'recipient_conflict' });

    const bearer = await fromCity({ sub: 'typo' });
    for (const bad of ['did:web:a.example, did:web:b.example', '@partner-idp/lab', [LAB, LAB]]) {
      const res = await query('AirQualityObserved', bearer, { 'mimtrust-recipient': bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.json()).toMatchObject({ status: 400 });
      expect(res.text).not.toContain('partner-idp/lab');
    }
  });

  it('does not take a prohibited caller out of a prohibition naming it', async () => {
    // A data broker's caller declares the lab: the lab permission holds, but the data reaches the broker first.
    const dodge = await query('AirQualityObserved', await fromCity({ sub: 'dodger', organisation: 'data-broker' }), { 'mimtrust-recipient': LAB });
    expect(dodge.status).toBe(403);
    expect(auditOf('dodger')).toEqual([{ issuer: CITY_IDM, effect: 'deny', reason: 'prohibited' }]);
    // And declaring the broker as recipient is prohibited for anybody.
    const relay = await query('AirQualityObserved', await fromCity({ sub: 'relay', organisation: 'lab-partner' }), { 'mimtrust-recipient': 'data-broker' });
    expect(relay.status).toBe(403);
    expect(auditOf('relay')).toEqual([{ issuer: CITY_IDM, effect: 'deny', reason: 'prohibited' }]);
  });

  it('made with a subscription is kept for its deliveries, and a prohibition added later on the organisation stops them', async () => {
    const bearer = await fromCity({ sub: 'subscriber', organisation: 'stats-office' });
    const res = await h.call('POST', S, { token: bearer, headers: { 'mimtrust-recipient': LAB }, body: {
      type: 'Subscription', entities: [{ type: 'AirQualityObserved' }], notification: { endpoint: { uri: `${endpointUrl}/air`, accept: 'application/json' } },
    } });
    expect(res.status, res.text).toBe(201);
    const location = res.headers.location as string;
    const id = decodeURIComponent(location.slice(location.lastIndexOf('/') + 1));
    // Decided again for the subscriber: only the recipient it declared meets the permission.
    expect(await h.broker.notify(id, [air])).toBe(204);
    expect(delivered.at(-1)).toMatchObject({ type: 'Notification', data: [air] });

    const ban = await h.call('POST', '/admin/contracts', { token: await admin(), body: {
      '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
      '@type': 'Set', uid: 'urn:test:parties:office-ban', profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
      prohibition: [{ uid: 'no-office', target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'AirQualityObserved' }] }, assignee: 'stats-office', action: 'use' }],
    } });
    try {
      expect(ban.status, ban.text).toBe(201);
      const count = delivered.length;
      expect(await h.broker.notify(id, [air])).toBe(403);
      expect(delivered.length).toBe(count);
    } finally {
      // The other cases read air quality as the office too.
      expect((await h.call('DELETE', '/admin/contracts/urn:test:parties:office-ban', { token: await admin() })).status).toBe(204);
    }
  });
});

describe('the dry run takes every caller field and the time', () => {
  const ask = async (caller: Record<string, unknown>, url: string, more: Record<string, unknown> = {}) =>
    h.call('POST', '/admin/decisions', { token: await admin(), body: { request: { method: 'GET', url }, caller, ...more } });
  const traffic = `${E}?type=TrafficFlowObserved`;
  const office = { organisation: 'stats-office', roles: ['viewer'] };

  it('decides a time-bound rule at the time it is given, either side of each bound', async () => {
    const inside = await ask(office, traffic, { now: '2026-06-01T08:00:00Z' });
    expect(inside.status).toBe(200);
    expect(inside.json()).toMatchObject({ effect: 'permit', rules: [{ contract: 'urn:test:parties:season', rule: 'year-2026' }], now: '2026-06-01T08:00:00.000Z' });
    expect((await ask(office, traffic, { now: '2026-12-31T23:59:59.999Z' })).json()).toMatchObject({ effect: 'permit' });
    // The upper bound is exclusive, and a zone offset is the same instant.
    expect((await ask(office, traffic, { now: '2027-01-01T00:00:00Z' })).json()).toMatchObject({ effect: 'deny', reason: 'constraint_not_satisfied' });
    expect((await ask(office, traffic, { now: '2027-01-01T01:00:00+01:00' })).json()).toMatchObject({ effect: 'deny', reason: 'constraint_not_satisfied' });
    expect((await ask(office, traffic, { now: '2025-12-31T23:59:59Z' })).json()).toMatchObject({ effect: 'deny', reason: 'constraint_not_satisfied' });
    expect((await ask(office, traffic, { now: '2026-01-01T00:00:00Z' })).json()).toMatchObject({ effect: 'permit' });
  });

  it('matches the organisation at the caller\'s issuer, and the declared recipient', async () => {
    const at = { now: '2026-06-01T08:00:00Z' };
    expect((await ask({ roles: ['viewer'] }, traffic, at)).json()).toMatchObject({ effect: 'deny', reason: 'no_matching_permission' });
    expect((await ask({ ...office, issuer: 'partner-idp' }, traffic, at)).json()).toMatchObject({ effect: 'deny', reason: 'no_matching_permission' });
    expect((await ask({ ...office, issuer: 'city-idm' }, traffic, at)).json()).toMatchObject({ effect: 'permit' });
    expect((await ask({ organisation: 'fleet-co', roles: ['viewer'], issuer: 'partner-idp' }, `${E}?type=WaterMeter`)).json())
      .toMatchObject({ effect: 'permit', rules: [{ contract: 'urn:test:parties:water', rule: 'fleet-co' }] });

    const aq = `${E}?type=AirQualityObserved`;
    expect((await ask({ roles: ['viewer'] }, aq)).json()).toMatchObject({ effect: 'deny', reason: 'constraint_not_satisfied' });
    expect((await ask({ roles: ['viewer'], recipient: LAB }, aq)).json()).toMatchObject({ effect: 'permit', rules: [{ rule: 'for-the-lab' }] });
    expect((await ask({ roles: ['viewer'], organisation: 'data-broker', recipient: LAB }, aq)).json())
      .toMatchObject({ effect: 'deny', reason: 'prohibited', rules: [{ rule: 'never-to-brokers' }] });
  });

  it('refuses input it cannot read with a 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, string]> = [
      [office, { now: 'tomorrow' }, '/now'],
      [office, { now: '2026-06-01T08:00:00' }, '/now'],
      [office, { now: '2026-02-30T08:00:00Z' }, '/now'],
      [office, { now: 1767225600000 }, '/now'],
      [{ organisation: 7, roles: ['viewer'] }, {}, '/caller/organisation'],
      [{ recipient: '', roles: ['viewer'] }, {}, '/caller/recipient'],
      [{ clientId: ['a'], roles: ['viewer'] }, {}, '/caller/clientId'],
      [{ roles: 'viewer' }, {}, '/caller/roles'],
    ];
    for (const [caller, more, field] of cases) {
      const res = await ask(caller, traffic, more);
      expect(res.status, JSON.stringify([caller, more])).toBe(400);
      expect(res.json()).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(res.json().detail).toContain(field);
      expect(res.text).not.toContain('tomorrow');
    }
    const header = await h.call('POST', '/admin/decisions', { token: await admin(), body: {
      request: { method: 'GET', url: traffic, headers: { 'Mimtrust-Recipient': LAB } }, caller: office,
    } });
    expect(header.status).toBe(400);
    expect(header.json().detail).toContain('/caller/recipient');
  });
});

describe('mimtrust token', () => {
  it('mints a token with --client, --org, --purpose and --recipient that the gateway reads as the contracts name them', async () => {
    const minted = execFileSync(process.execPath, [
      CLI, 'token', '--sub', 'lea', '--client', 'meter-app', '--org', 'stats-office', '--recipient', LAB,
      '--purpose', 'dpv:ServiceProvision', '--roles', 'viewer', '--tenants', '@default', '--config', join(h.dir, 'mimtrust.json'),
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    expect(decodeJwt(minted)).toMatchObject({
      sub: 'lea', client_id: 'meter-app', org_id: 'stats-office', recipient: LAB, purpose: 'dpv:ServiceProvision', roles: ['viewer'], tenants: ['@default'],
    });
    const meters = await query('WaterMeter', minted);
    expect(meters.status, meters.text).toBe(200);
    expect(meters.json().map((m: { customer?: unknown }) => m.customer)).toEqual([undefined, undefined]);
    expect((await query('AirQualityObserved', minted)).status).toBe(200);
    // The tenants claim still limits it.
    expect((await h.call('GET', `${E}?type=WaterMeter`, { token: minted, headers: { 'NGSILD-Tenant': 'mobility' } })).status).toBe(403);
  });
});
