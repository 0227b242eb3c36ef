/**
 * The worked example of docs/smart-data-models.md, loaded as the guide ships it (its
 * contracts and roles.csv, the official Smart Data Models contexts pinned to local copies)
 * and asked what the guide says it answers, over HTTPS through the real gateway. The
 * contexts' URLs are unreachable from here: every permit proves the pinned copies were used.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIENCE, REPO, startHarness, startIssuer, token, type Harness, type Issuer } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const EXAMPLE = join(REPO, 'docs', 'examples', 'smart-data-models');
const FIXTURES = join(REPO, 'test', 'fixtures', 'smart-data-models');
const LIGHTS_CTX = 'https://raw.githubusercontent.com/smart-data-models/dataModel.Streetlighting/master/context.jsonld';
const WATER_CTX = 'https://raw.githubusercontent.com/smart-data-models/dataModel.WaterConsumption/master/context.jsonld';
const link = (url: string) => ({ link: `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"` });
const CITY_IDM = 'https://idm.city.example/realms/city';
const E = '/ngsi-ld/v1/entities';
const DPV = 'https://w3id.org/dpv#';

const point = (lon: number, lat: number) => ({ type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } });
const OLD_TOWN = [-4.13, 50.958] as const;
const HARBOUR = [-4.2, 51.05] as const;
const observed = (v: number) => ({ type: 'Property', value: v, unitCode: 'LTR', observedAt: '2026-11-30T23:00:00Z' });

let h: Harness;
let idm: Issuer;
beforeAll(async () => {
  const policies = makeTempDir('sdm-policies');
  copyFileSync(join(EXAMPLE, 'policies', 'roles.csv'), join(policies, 'roles.csv'));
  copyFileSync(join(REPO, 'policies', 'model.conf'), join(policies, 'model.conf'));
  idm = await startIssuer();
  h = await startHarness({
    contractsDir: join(EXAMPLE, 'contracts'),
    policiesDir: policies,
    contexts: {
      pinned: {
        [LIGHTS_CTX]: join(FIXTURES, 'streetlighting.context.jsonld'),
        [WATER_CTX]: join(FIXTURES, 'water-consumption.context.jsonld'),
      },
    },
  }, {
    moreIssuers: [{ issuer: CITY_IDM, name: 'city-idm', cityOwn: true, jwksUri: idm.url, audience: AUDIENCE, rolesClaim: 'roles', organisationClaim: 'org_id' }],
  });
  h.broker.seed({
    id: 'urn:ngsi-ld:Streetlight:old-town-1', type: 'Streetlight', status: { type: 'Property', value: 'ok' },
    powerState: { type: 'Property', value: 'on' }, lanternModelName: { type: 'Property', value: 'LX-200' }, location: point(...OLD_TOWN),
  });
  h.broker.seed({ id: 'urn:ngsi-ld:WaterConsumptionObserved:old-town-7', type: 'WaterConsumptionObserved', waterConsumption: observed(191), alarmTamper: { type: 'Property', value: 0 }, location: point(...OLD_TOWN) });
  h.broker.seed({ id: 'urn:ngsi-ld:WaterConsumptionObserved:harbour-3', type: 'WaterConsumptionObserved', waterConsumption: observed(80), location: point(...HARBOUR) });
});
afterAll(async () => {
  await h?.close();
  await idm?.close();
});

const caller = (o: { org?: string; purpose?: string } = {}) => token(idm, {
  iss: CITY_IDM, sub: 'ana', roles: ['viewer'],
  extra: { ...(o.org ? { org_id: o.org } : {}), ...(o.purpose ? { purpose: `${DPV}${o.purpose}` } : {}) },
});
type Entity = Record<string, unknown> & { id: string };
const shape = (body: unknown) => Object.fromEntries((body as Entity[]).map((e) => [e.id, Object.keys(e).filter((k) => k !== 'id' && k !== 'type').sort()]));

describe('the Smart Data Models worked example', () => {
  it('shows anybody the state and place of street lights, not the equipment', async () => {
    const res = await h.call('GET', `${E}?type=Streetlight`, { token: await caller(), headers: link(LIGHTS_CTX) });
    expect(res.status).toBe(200);
    expect(shape(res.json())).toEqual({ 'urn:ngsi-ld:Streetlight:old-town-1': ['location', 'powerState', 'status'] });
  });

  it('shows the statistics office consumption in the old town only, for a research purpose', async () => {
    const office = await caller({ org: 'stats-office', purpose: 'AcademicResearch' });
    const res = await h.call('GET', `${E}?type=WaterConsumptionObserved`, { token: office, headers: link(WATER_CTX) });
    expect(res.status).toBe(200);
    expect(shape(res.json())).toEqual({ 'urn:ngsi-ld:WaterConsumptionObserved:old-town-7': ['location', 'waterConsumption'] });
    // Asking for consumption alone: placed by the gateway, and only what was asked comes back.
    const only = await h.call('GET', `${E}?type=WaterConsumptionObserved&attrs=waterConsumption`, { token: office, headers: link(WATER_CTX) });
    expect(shape(only.json())).toEqual({ 'urn:ngsi-ld:WaterConsumptionObserved:old-town-7': ['waterConsumption'] });
    const outside = await h.call('GET', `${E}/urn:ngsi-ld:WaterConsumptionObserved:harbour-3`, { token: office, headers: link(WATER_CTX) });
    expect(outside.status).toBe(404);
  });

  it('refuses the office without a research purpose, and anybody for marketing', async () => {
    const noPurpose = await h.call('GET', `${E}?type=WaterConsumptionObserved`, { token: await caller({ org: 'stats-office' }), headers: link(WATER_CTX) });
    expect(noPurpose.status).toBe(403);
    // No declared purpose: the marketing prohibition binds it (it cannot be shown not to be marketing).
    const prohibited = { reason: 'prohibited', entityType: 'WaterConsumptionObserved', rules: [{ contract: 'urn:city:contract:water-no-marketing', rule: 'urn:city:contract:water-no-marketing:all' }] };
    expect(noPurpose.json()).toMatchObject({ ...prohibited, detail: 'A contract prohibits this request (entity type WaterConsumptionObserved).' });
    const marketing = await h.call('GET', `${E}?type=WaterConsumptionObserved`, { token: await caller({ org: 'stats-office', purpose: 'Marketing' }), headers: link(WATER_CTX) });
    expect(marketing.status).toBe(403);
    expect(marketing.json()).toMatchObject(prohibited);
  });

  it('refuses a resident who is not the office', async () => {
    const res = await h.call('GET', `${E}?type=WaterConsumptionObserved`, { token: await caller({ purpose: 'AcademicResearch' }), headers: link(WATER_CTX) });
    expect(res.status).toBe(403);
    expect(res.json().detail).toBe('No contract permits this request.');
  });

  it('compares names as IRIs: without the Smart Data Models context, the same words name other data', async () => {
    const office = await caller({ org: 'stats-office', purpose: 'AcademicResearch' });
    const res = await h.call('GET', `${E}?type=WaterConsumptionObserved`, { token: office });
    expect(res.status).toBe(403);
    expect(res.json().detail).toBe('No contract permits this request.');
  });
});
