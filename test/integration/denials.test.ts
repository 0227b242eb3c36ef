/**
 * Refusals that explain, over HTTPS: a 403 names the attribute, entity type or filter
 * parameter the caller asked for, in the caller's own terms (its @context), the
 * prohibition that refused, or the conditions of its own rules that were not met; never
 * anything it did not name. The dry run lists every rule it looked at.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, token, type Harness } from '../helpers/harness.js';
import { startContextServer, type ContextServer } from '../helpers/context-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { attrsAnyOf, doc, DPV, role, target, V } from '../unit/contracts-fixtures.js';

const E = '/ngsi-ld/v1/entities';
const contracts = {
  'parking.jsonld': doc('urn:test:parking', {
    permission: [{ uid: 'read', target: target('ParkingSpot', attrsAnyOf('status', 'location')), action: 'ngsi:read' }],
    prohibition: [{ uid: 'no-owner', target: target('ParkingSpot', attrsAnyOf('owner')), action: 'use' }],
  }),
  'research.jsonld': doc('urn:test:research', {
    permission: [{
      uid: 'for-research', target: target('AirQualityObserved'), assignee: role('viewer'), action: 'ngsi:read',
      constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'dpv:ResearchAndDevelopment' }],
    }],
  }),
  'people.jsonld': doc('urn:test:people', { prohibition: [{ uid: 'no-people', target: target('Person'), action: 'use' }] }),
};

let h: Harness;
let ctx: ContextServer;
beforeAll(async () => {
  ctx = await startContextServer({ '/parking.jsonld': { '@context': { Spot: `${V}ParkingSpot`, holder: `${V}owner`, colour: `${V}colour` } } });
  const dir = makeTempDir('denials');
  for (const [name, d] of Object.entries(contracts)) writeFileSync(join(dir, name), JSON.stringify(d));
  h = await startHarness({ contractsDir: dir, contexts: { allowList: [ctx.base] } });
});
afterAll(async () => {
  await h?.close();
  await ctx?.close();
});

const viewer = (purpose?: string) => token(h.issuer, { roles: ['viewer'], ...(purpose ? { extra: { purpose: `${DPV}${purpose}` } } : {}) });
const link = () => ({ link: `<${ctx.base}/parking.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` });

describe('a 403 says what it turned on', () => {
  it('names the attribute asked for, in the words of the caller’s own @context', async () => {
    const plain = await h.call('GET', `${E}?type=ParkingSpot&attrs=colour`, { token: await viewer() });
    expect(plain.status).toBe(403);
    expect(plain.json()).toMatchObject({ reason: 'attribute_not_permitted', attribute: 'colour', detail: 'The request names an attribute no contract permits to the caller (attribute colour).' });
    const own = await h.call('GET', `${E}?type=Spot&attrs=holder`, { token: await viewer(), headers: link() });
    expect(own.status).toBe(403);
    expect(own.json()).toMatchObject({ attribute: 'holder' });
  });

  it('names the filter parameter and the attribute it reads', async () => {
    const res = await h.call('GET', `${E}?type=ParkingSpot&q=${encodeURIComponent('owner=="x"')}`, { token: await viewer() });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ reason: 'filter_reads_forbidden_attribute', attribute: 'owner', parameter: 'q' });
    expect(res.json().detail).toMatch(/\(attribute owner; read by q\)\.$/);
  });

  it('names the prohibition and the entity type it refuses', async () => {
    const res = await h.call('GET', `${E}?type=Person`, { token: await viewer() });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ reason: 'prohibited', entityType: 'Person', rules: [{ contract: 'urn:test:people', rule: 'no-people' }] });
  });

  it('names the conditions of the caller’s rules that were not met', async () => {
    const res = await h.call('GET', `${E}?type=AirQualityObserved`, { token: await viewer('Marketing') });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({
      reason: 'constraint_not_satisfied',
      unmet: [{ contract: 'urn:test:research', rule: 'for-research', constraint: 'purpose' }],
    });
    expect(res.json().detail).toMatch(/\(not met: purpose\)\.$/);
  });

  it('says no more than the reason when no rule was addressed to the caller', async () => {
    const res = await h.call('GET', `${E}?type=Streetlight`, { token: await viewer() });
    expect(res.status).toBe(403);
    const body = res.json();
    expect(body.reason).toBe('no_matching_permission');
    for (const k of ['attribute', 'entityType', 'parameter', 'rules', 'unmet']) expect(body).not.toHaveProperty(k);
  });
});

describe('the dry run', () => {
  it('lists every rule it looked at, with what became of it', async () => {
    const res = await h.call('POST', '/admin/decisions', { token: await token(h.issuer, { roles: ['contract-admin'] }), body: {
      request: { method: 'GET', url: '/ngsi-ld/v1/entities?type=AirQualityObserved' },
      caller: { sub: 'alice', roles: ['viewer'], purpose: `${DPV}Marketing` },
    } });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ effect: 'deny', reason: 'constraint_not_satisfied' });
    expect(body.considered).toEqual([{ rule: { contract: 'urn:test:research', rule: 'for-research' }, kind: 'permission', outcome: 'constraint:purpose' }]);
    expect(body.culprit.unmet).toEqual([{ rule: { contract: 'urn:test:research', rule: 'for-research' }, constraint: 'purpose' }]);
  });
});
