/**
 * A `count` constraint is spent only by requests that go to the broker. A request the
 * gateway refuses on its own terms (here `count=true` where an area hides entities, so the
 * broker's count could not be exact) must leave the caller's quota as it was.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, token, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const E = '/ngsi-ld/v1/entities';
let h: Harness;

const contract = {
  '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
  '@type': 'Set',
  uid: 'urn:test:quota',
  profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
  permission: [{
    uid: 'urn:test:quota:lights',
    target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'StreetLight' }] },
    assignee: 'quota-app',
    action: 'ngsi:read',
    constraint: [
      { leftOperand: 'count', operator: 'lteq', rightOperand: 1, 'ngsi:period': 'PT1H' },
      { leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: { type: 'Polygon', coordinates: [[[4.3, 50.8], [4.4, 50.8], [4.4, 50.9], [4.3, 50.9], [4.3, 50.8]]] } },
    ],
  }],
};

const shared = {
  ...contract,
  uid: 'urn:test:shared',
  permission: [{
    uid: 'urn:test:shared:benches',
    target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'StreetBench' }] },
    assignee: { '@type': 'PartyCollection', refinement: [{ leftOperand: 'ngsi:role', operator: 'eq', rightOperand: 'viewer' }] },
    action: 'ngsi:read',
    constraint: [{ leftOperand: 'count', operator: 'lteq', rightOperand: 2, 'ngsi:period': 'PT1H', 'ngsi:countScope': 'role' }],
  }],
};

beforeAll(async () => {
  const dir = makeTempDir('quota');
  writeFileSync(join(dir, 'quota.jsonld'), JSON.stringify(contract));
  writeFileSync(join(dir, 'shared.jsonld'), JSON.stringify(shared));
  h = await startHarness({ contractsDir: dir });
  h.broker.seed({ id: 'urn:ngsi-ld:StreetLight:in', type: 'StreetLight', lit: { type: 'Property', value: true }, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [4.35, 50.85] } } });
});
afterAll(async () => { await h?.close(); });

describe('count quota', () => {
  it('is not spent by a count=true the gateway refuses before asking the broker', async () => {
    const t = await token(h.issuer, { roles: ['viewer'], extra: { client_id: 'quota-app' } });
    const before = h.broker.requests.length;
    for (let i = 0; i < 3; i++) {
      const refused = await h.call('GET', `${E}?type=StreetLight&count=true`, { token: t });
      expect(refused.status).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    }
    expect(h.broker.requests.length).toBe(before);

    // The one request the quota allows is still there, and it is spent by going through.
    const ok = await h.call('GET', `${E}?type=StreetLight`, { token: t });
    expect(ok.status).toBe(200);
    expect((ok.json() as Array<{ id: string }>).map((e) => e.id)).toEqual(['urn:ngsi-ld:StreetLight:in']);
    expect((await h.call('GET', `${E}?type=StreetLight`, { token: t })).status).toBe(403);
  });

  it('is shared by everyone holding the rule\'s role when the count says so', async () => {
    const [ann, ben] = await Promise.all(['ann-app', 'ben-app'].map((c) => token(h.issuer, { sub: c, roles: ['viewer'], extra: { client_id: c } })));
    expect((await h.call('GET', `${E}?type=StreetBench`, { token: ann })).status).toBe(200);
    expect((await h.call('GET', `${E}?type=StreetBench`, { token: ben })).status).toBe(200);
    // The role's two requests are spent, by whichever caller.
    expect((await h.call('GET', `${E}?type=StreetBench`, { token: ann })).status).toBe(403);
    expect((await h.call('GET', `${E}?type=StreetBench`, { token: ben })).status).toBe(403);
  });
});
