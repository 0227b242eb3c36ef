/**
 * One meaning end to end for names: the real gateway over HTTPS, contracts from
 * test/fixtures/contracts-city (ParkingSpot readable except ownerReference and refDevice;
 * StreetBench: name only), allow-listed caller contexts served on 127.0.0.1, and the
 * recording in-memory broker. Each probe tries to get a forbidden name, a keyword alias or
 * an undecided member to the broker; each must be refused before anything is forwarded.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { NGSI_LD_CONTEXTS } from '../helpers/shared.js';
import { startContextServer, type ContextServer } from '../helpers/context-server.js';

const API = '/ngsi-ld/v1';
const E = `${API}/entities`;
const T = `${API}/temporal/entities`;
const VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';
const CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';
/** The forbidden attribute, and the string that must never reach the broker. */
const SECRET = 'ownerReference';

let h: Harness;
let ctxServer: ContextServer;
let ctxBase = '';

const DOCS: Record<string, unknown> = {
  // an allowed-looking short name redefined as the forbidden attribute's IRI
  '/rename.jsonld': { '@context': { name: `${VOCAB}${SECRET}` } },
  '/nest.jsonld': { '@context': { x: '@nest' } },
  '/type.jsonld': { '@context': { t: '@type' } },
  '/id.jsonld': { '@context': { i: '@id' } },
  '/included.jsonld': { '@context': { more: '@included' } },
  '/via-core.jsonld': { '@context': { kind: 'type' } },
};

function contextLink(path: string): string {
  return `<${ctxBase}${path}>; rel="${CONTEXT_REL}"; type="application/ld+json"`;
}

const viewer = () => token(h.issuer, { roles: ['viewer'] });

/** What the broker received since `from`, as one string: URLs, Link headers and bodies. */
function receivedSince(from: number): string {
  return h.broker.requests.slice(from).map((r) => `${r.url}\n${String(r.headers.link ?? '')}\n${r.body}`).join('\n');
}

beforeAll(async () => {
  ctxServer = await startContextServer(DOCS);
  ctxBase = ctxServer.base;
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-city'),
    contexts: { allowList: [`${ctxBase}/`] },
  });
  h.broker.seed({
    id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot',
    status: { type: 'Property', value: 'free' },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [4.35, 50.85] } },
    ownerReference: { type: 'Relationship', object: 'urn:ngsi-ld:Person:alice' },
  });
  h.broker.seed({
    id: 'urn:ngsi-ld:StreetBench:1', type: 'StreetBench', name: { type: 'Property', value: 'Oak bench' },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [4.123456, 50.654321] } },
  });
});

afterAll(async () => {
  await h?.close();
  await ctxServer.close();
});

describe('a forbidden name never reaches the broker', () => {
  const probes: Array<[string, string, string?]> = [
    ['attrs', `${E}?type=ParkingSpot&attrs=${SECRET}`],
    ['pick', `${E}?type=ParkingSpot&pick=id,${SECRET}`],
    ['a named geometryProperty', `${E}?type=ParkingSpot&format=geojson&geometryProperty=${SECRET}`],
    ['a named geometryProperty the type does not show', `${E}?type=StreetBench&format=geojson&geometryProperty=location`],
    ['a named geometryProperty on a retrieve', `${E}/urn:ngsi-ld:StreetBench:1?format=geojson&geometryProperty=location`],
    ['temporal attrs', `${T}?type=ParkingSpot&attrs=${SECRET}`],
    ['temporal pick on a retrieve', `${T}/urn:ngsi-ld:ParkingSpot:1?pick=${SECRET}`],
    ['an aggregation naming it', `${T}?type=ParkingSpot&aggrMethods=sum&aggrPeriodDuration=PT1H&attrs=${SECRET}`],
    ['an aggregation of every attribute, which includes it', `${T}?type=ParkingSpot&aggrMethods=sum&aggrPeriodDuration=PT1H`],
    ['aggregated values of every attribute on a retrieve', `${T}/urn:ngsi-ld:ParkingSpot:1?options=aggregatedValues&aggrMethods=max`],
    ['attrs through a context that renames it', `${E}?type=ParkingSpot&attrs=name`, '/rename.jsonld'],
    ['pick through that context', `${E}?type=ParkingSpot&pick=name`, '/rename.jsonld'],
    ['q through that context', `${E}?type=ParkingSpot&q=name==%22x%22`, '/rename.jsonld'],
    ['geometryProperty through that context', `${E}?type=ParkingSpot&format=geojson&geometryProperty=name`, '/rename.jsonld'],
    ['an aggregation through that context', `${T}?type=ParkingSpot&aggrMethods=sum&attrs=name`, '/rename.jsonld'],
  ];
  for (const [name, path, ctx] of probes) {
    it(`refuses ${name} with 403, forwarding nothing`, async () => {
      const before = h.broker.requests.length;
      const res = await h.call('GET', path, { token: await viewer(), headers: ctx ? { link: contextLink(ctx) } : {} });
      expect(res.status, res.text).toBe(403);
      expect(res.json().decisionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(h.broker.requests.length).toBe(before);
    });
  }

  it('still forwards omit of a forbidden attribute, and permitted names, geometry and aggregation', async () => {
    const t = await viewer();
    const before = h.broker.requests.length;
    for (const path of [
      `${E}?type=ParkingSpot&omit=${SECRET}`,
      `${E}?type=ParkingSpot&format=geojson&geometryProperty=location`,
      `${T}?type=ParkingSpot&aggrMethods=sum&aggrPeriodDuration=PT1H&attrs=status`,
    ]) {
      const res = await h.call('GET', path, { token: t });
      expect(res.status, `${path}: ${res.text}`).toBe(200);
      expect(res.text).not.toContain('urn:ngsi-ld:Person:alice');
    }
    expect(h.broker.requests.length).toBe(before + 3);
    expect(h.broker.requests[before]!.url).toContain(`omit=${SECRET}`);
  });

  it('forwards exactly the context link it decided with, and refuses any other link', async () => {
    const before = h.broker.requests.length;
    const extra = await h.call('GET', `${E}?type=ParkingSpot&attrs=status`, {
      token: await viewer(),
      headers: { link: `<${ctxBase}/nest.jsonld>; rel="alternate"; type="application/ld+json", ${contextLink('/rename.jsonld')}` },
    });
    expect(extra.status).toBe(400);
    expect(h.broker.requests).toHaveLength(before);
    const res = await h.call('GET', `${E}?type=ParkingSpot&attrs=status`, { token: await viewer(), headers: { link: contextLink('/rename.jsonld') } });
    expect(res.status, res.text).toBe(200);
    expect(h.broker.requests).toHaveLength(before + 1);
    expect(h.broker.requests[before]!.headers.link).toBe(contextLink('/rename.jsonld'));
  });

  it('forwards no Link at all with an application/ld+json body', async () => {
    const before = h.broker.requests.length;
    const res = await h.call('POST', `${API}/entityOperations/query`, {
      token: await viewer(),
      headers: { 'content-type': 'application/ld+json' },
      body: { '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld', type: 'Query', entities: [{ type: 'ParkingSpot' }], attrs: ['status'] },
    });
    expect(res.status, res.text).toBe(200);
    expect(h.broker.requests[before]!.headers.link).toBeUndefined();
  });
});

describe('keyword aliases and undecided members are refused with 400', () => {
  const refusals: Array<[string, { method: string; path: string; body?: unknown; headers?: Record<string, string>; ctx?: string }, string]> = [
    ['a Link context aliasing @nest', { method: 'GET', path: `${E}?type=ParkingSpot&attrs=x`, ctx: '/nest.jsonld' }, 'keyword'],
    ['a Link context aliasing @type', { method: 'GET', path: `${E}?type=ParkingSpot`, ctx: '/type.jsonld' }, 'keyword'],
    ['a Link context aliasing @id', { method: 'GET', path: `${E}?type=ParkingSpot`, ctx: '/id.jsonld' }, 'keyword'],
    ['a Link context aliasing @included', { method: 'GET', path: `${E}?type=ParkingSpot`, ctx: '/included.jsonld' }, 'keyword'],
    ['a Link context aliasing @type through the core term', { method: 'GET', path: `${E}?type=ParkingSpot`, ctx: '/via-core.jsonld' }, 'keyword'],
    ['a Link context aliasing a keyword on a write', { method: 'POST', path: E, ctx: '/nest.jsonld', body: { id: 'urn:ngsi-ld:ParkingSpot:70', type: 'ParkingSpot', x: { [SECRET]: { type: 'Relationship', object: 'urn:x' } } } }, 'keyword'],
    ['a body context aliasing @nest', {
      method: 'POST', path: E, headers: { 'content-type': 'application/ld+json' },
      body: { '@context': [{ x: '@nest' }, 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld'], id: 'urn:ngsi-ld:ParkingSpot:71', type: 'ParkingSpot', x: { [SECRET]: { type: 'Relationship', object: 'urn:x' } } },
    }, 'keyword'],
    ['a body context aliasing @type in a query', {
      method: 'POST', path: `${API}/entityOperations/query`, headers: { 'content-type': 'application/ld+json' },
      body: { '@context': { t: '@type' }, type: 'Query', entities: [{ t: 'ParkingSpot' }] },
    }, 'member'],
    ['@included in an entity', { method: 'POST', path: E, body: { id: 'urn:ngsi-ld:ParkingSpot:72', type: 'ParkingSpot', '@included': [{ id: 'urn:ngsi-ld:Person:x', type: 'Person', [SECRET]: 1 }] } }, 'structure'],
    ['@reverse in an entity', { method: 'POST', path: E, body: { id: 'urn:ngsi-ld:ParkingSpot:73', type: 'ParkingSpot', '@reverse': { [SECRET]: { id: 'urn:x' } } } }, 'structure'],
    ['@graph in a batch', { method: 'POST', path: `${API}/entityOperations/upsert`, body: [{ id: 'urn:ngsi-ld:ParkingSpot:74', type: 'ParkingSpot', '@graph': [{ id: 'urn:y', [SECRET]: 1 }] }] }, 'structure'],
    ['@nest inside an attribute', { method: 'PATCH', path: `${E}/urn:ngsi-ld:ParkingSpot:1/attrs`, body: { status: { type: 'Property', value: 'x', '@nest': { [SECRET]: 1 } } } }, 'structure'],
    ['a prefixed q in a batch query', { method: 'POST', path: `${API}/entityOperations/query`, body: { type: 'Query', entities: [{ type: 'ParkingSpot' }], 'ngsi-ld:q': `${SECRET}==1` } }, 'member'],
    ['q under its IRI in a batch query', { method: 'POST', path: `${API}/entityOperations/query`, body: { type: 'Query', entities: [{ type: 'ParkingSpot' }], 'https://uri.etsi.org/ngsi-ld/q': `${SECRET}==1` } }, 'member'],
    ['an unknown member in a temporal query', { method: 'POST', path: `${API}/temporal/entityOperations/query`, body: { type: 'Query', entities: [{ type: 'ParkingSpot' }], aggrMethods: ['sum'] } }, 'member'],
    ['an unknown member of an entity selector', { method: 'POST', path: `${API}/entityOperations/query`, body: { type: 'Query', entities: [{ type: 'ParkingSpot', 'ngsi-ld:idPattern': '.*' }] } }, 'member'],
    ['a second notification under an IRI', {
      method: 'POST', path: `${API}/subscriptions`,
      body: {
        type: 'Subscription', entities: [{ type: 'ParkingSpot' }],
        notification: { attributes: ['status'], endpoint: { uri: 'https://app.example/n' } },
        'https://uri.etsi.org/ngsi-ld/notification': { attributes: [SECRET], endpoint: { uri: 'https://app.example/n' } },
      },
    }, 'member'],
    ['an unknown endpoint member', {
      method: 'POST', path: `${API}/subscriptions`,
      body: { type: 'Subscription', entities: [{ type: 'ParkingSpot' }], notification: { attributes: ['status'], endpoint: { uri: 'https://app.example/n', 'ngsi-ld:uri': 'https://other.example/n' } } },
    }, 'member'],
  ];
  const DETAIL: Record<string, RegExp> = {
    keyword: /keyword aliases are not accepted/,
    structure: /JSON-LD keyword/,
    member: /member this gateway does not accept/,
  };
  for (const [name, call, kind] of refusals) {
    it(`refuses ${name}, forwarding nothing`, async () => {
      const before = h.broker.requests.length;
      const res = await h.call(call.method, call.path, { token: await token(h.issuer, { roles: ['viewer', 'provider'] }), headers: call.ctx ? { link: contextLink(call.ctx) } : call.headers ?? {}, body: call.body });
      expect(res.status, res.text).toBe(400);
      const problem = res.json();
      expect(problem.type).toBe('https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
      expect(problem.detail).toMatch(DETAIL[kind]!);
      expect(res.text).not.toContain(SECRET);
      expect(h.broker.requests.length).toBe(before);
    });
  }
});

describe('over the whole run', () => {
  it('the broker never received the forbidden name, in a URL, a Link or a body, except in omit', () => {
    expect(h.broker.requests.length).toBeGreaterThan(0);
    const received = receivedSince(0);
    expect(received).toContain(`omit=${SECRET}`);
    expect(received.split(`omit=${SECRET}`).join('')).not.toContain(SECRET);
    expect(received).not.toContain('nest.jsonld');
  });
});

describe('with the official v1.4 core, whose table lacks newer member names', () => {
  let h14: Harness;
  beforeAll(async () => {
    h14 = await startHarness({
      contractsDir: join(REPO, 'test', 'fixtures', 'contracts-city'),
      contexts: { coreContextFile: join(NGSI_LD_CONTEXTS, 'ngsi-ld-core-context-v1.4.jsonld') },
      subscriptions: { endpoints: { allowSchemes: ['https', 'http'], allowLoopback: true } },
    });
  });
  afterAll(async () => {
    await h14?.close();
  });

  it('refuses a body context that gives a subscription member another meaning, forwarding nothing', async () => {
    const subscription = {
      type: 'Subscription', entities: [{ type: 'ParkingSpot' }],
      notification: { attributes: ['status'], endpoint: { uri: 'http://127.0.0.1:9/n', receiverInfo: [{ key: 'k', value: `${SECRET}==1` }] } },
    };
    const t = await token(h14.issuer, { roles: ['viewer'] });
    const ld = { 'content-type': 'application/ld+json' };
    const redefined = await h14.call('POST', `${API}/subscriptions`, { token: t, headers: ld, body: { '@context': { receiverInfo: 'https://uri.etsi.org/ngsi-ld/q' }, ...subscription } });
    expect(redefined.status, redefined.text).toBe(400);
    expect(redefined.json().detail).toMatch(/redefines a member name/);
    expect(h14.broker.requests).toHaveLength(0);
    // the same subscription with a context that leaves the member alone goes through
    const plain = await h14.call('POST', `${API}/subscriptions`, { token: t, headers: ld, body: { '@context': { other: 'https://example.org/other' }, ...subscription } });
    expect(plain.status, plain.text).toBe(201);
    expect(h14.broker.requests).toHaveLength(1);
  });
});
