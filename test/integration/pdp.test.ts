/**
 * The decision point over HTTP: the Envoy ext_authz HTTP service and the JSON decision API,
 * asked with a real HTTP client over HTTPS, as Envoy or an API gateway plugin would. Each
 * answer names a decision id that is in the audit log.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';

/** Everything open to every authenticated caller (roles still apply). */
let open: Harness;
/** The city's contracts: parking spots without owner and device, no secret sites. */
let city: Harness;

function auditRecord(h: Harness, decisionId: string): { effect: string; reason: string; operation: string } | undefined {
  const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
  try {
    return db.prepare('SELECT effect, reason, operation FROM audit_records WHERE decision_id = ?').get(decisionId) as never;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  open = await startHarness({ pdp: { enabled: true } });
  city = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-city'), pdp: { enabled: true } });
});
afterAll(async () => {
  await open?.close();
  await city?.close();
});

// Envoy sends the original method, the original path after its path_prefix, and the allowed headers.
const check = async (h: Harness, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  h.call(method, `/pdp/v1/ext_authz${path}`, { headers, ...(body !== undefined ? { body } : {}) });
const bearer = async (h: Harness, roles: string[]) => ({ authorization: `Bearer ${await token(h.issuer, { roles })}` });

describe('Envoy ext_authz HTTP service', () => {
  it('allows a permitted request with 200 and a decision id that is in the audit log, and never calls the broker', async () => {
    const before = open.broker.requests.length;
    const res = await check(open, 'GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:Tram:1', await bearer(open, ['viewer']));
    expect(res.status, res.text).toBe(200);
    const id = res.headers['x-mimtrust-decision-id'];
    expect(typeof id).toBe('string');
    expect(auditRecord(open, id as string)).toMatchObject({ effect: 'permit', operation: 'entity.retrieve' });
    expect(open.broker.requests.length).toBe(before);
  });

  it('refuses without a token (401), without the role (403) and a forbidden attribute (403), as ProblemDetails Envoy passes on', async () => {
    const anon = await check(open, 'GET', '/ngsi-ld/v1/entities?type=Tram');
    expect(anon.status).toBe(401);
    expect(anon.json().decisionId).toBeTruthy();
    const write = await check(open, 'DELETE', '/ngsi-ld/v1/entities/urn:ngsi-ld:Tram:1', await bearer(open, ['viewer']));
    expect(write.status).toBe(403);
    expect(auditRecord(open, write.json().decisionId)).toMatchObject({ effect: 'deny', reason: 'role_denied' });
    const owner = await check(city, 'GET', '/ngsi-ld/v1/entities?type=ParkingSpot&attrs=ownerReference', await bearer(city, ['viewer']));
    expect(owner.status).toBe(403);
    const problem = owner.json();
    expect(problem).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(auditRecord(city, problem.decisionId)).toMatchObject({ effect: 'deny', reason: 'attribute_not_permitted' });
  });

  it('refuses a permit whose response would need cutting down, which Envoy cannot do', async () => {
    // ParkingSpot may be read without ownerReference and refDevice: only mimtrust's proxy can remove them.
    const res = await check(city, 'GET', '/ngsi-ld/v1/entities?type=ParkingSpot', await bearer(city, ['viewer']));
    expect(res.status).toBe(403);
    expect(auditRecord(city, res.json().decisionId)).toMatchObject({ effect: 'deny', reason: 'obligation_not_enforceable' });
  });

  it('decides writes on the body Envoy forwards', async () => {
    // A write is decided on the entity the broker holds.
    city.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
    const provider = await bearer(city, ['provider']);
    const path = '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:1/attrs';
    const ok = await check(city, 'PATCH', path, provider, { type: 'ParkingSpot', status: { type: 'Property', value: 'taken' } });
    expect(ok.status, ok.text).toBe(200);
    const bad = await check(city, 'PATCH', path, provider, { type: 'ParkingSpot', ownerReference: { type: 'Relationship', object: 'urn:x' } });
    expect(bad.status).toBe(403);
  });
});

describe('JSON decision API', () => {
  const ask = (h: Harness, input: unknown) => h.call('POST', '/pdp/v1/decisions', { body: input });

  it('answers allow under a decision id that is in the audit log', async () => {
    const res = await ask(open, { input: { method: 'GET', path: '/ngsi-ld/v1/entities?type=Tram', headers: { Authorization: `Bearer ${await token(open.issuer)}` } } });
    expect(res.status, res.text).toBe(200);
    const body = res.json();
    expect(body.result).toMatchObject({ allow: true, effect: 'permit' });
    expect(auditRecord(open, body.decision_id)).toMatchObject({ effect: 'permit', operation: 'entity.query' });
  });

  it('answers allow: false with the reason for an unpermitted or unauthenticated request', async () => {
    const secret = (await ask(city, { input: { method: 'GET', path: '/ngsi-ld/v1/entities?type=SecretSite', headers: { authorization: `Bearer ${await token(city.issuer)}` } } })).json();
    expect(secret.result).toMatchObject({ allow: false, reason: 'prohibited' });
    expect(auditRecord(city, secret.decision_id)).toMatchObject({ effect: 'deny', reason: 'prohibited' });
    const anon = (await ask(city, { input: { method: 'GET', path: '/ngsi-ld/v1/entities?type=Tram' } })).json();
    expect(anon.result).toMatchObject({ allow: false, reason: 'token_missing' });
  });

  it('refuses malformed input with 400 without echoing it', async () => {
    const res = await ask(open, { input: { method: 'GET', path: 'not-a-path<script>' } });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('<script>');
    expect((await ask(open, { inputs: {} })).status).toBe(400);
  });
});

describe('disabled by default', () => {
  it('is not served unless pdp.enabled is set', async () => {
    const plain = await startHarness();
    try {
      const res = await plain.call('POST', '/pdp/v1/decisions', { token: await token(plain.issuer), body: { input: { method: 'GET', path: '/ngsi-ld/v1/types' } } });
      expect(res.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
