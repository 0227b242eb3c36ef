import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../src/ngsi/index.js';
import { BASE, expectRefused, req } from './ngsi-fixtures.js';

describe('tenant', () => {
  it.each(['city1', 'a_b-9', 'x'.repeat(64)])('accepts %s', (tenant) => {
    expect(req('GET', `${BASE}/types`, { headers: { 'ngsild-tenant': tenant } }).tenant).toBe(tenant);
  });

  it.each(['City', 'CITY', 'cItY'])('decides on and forwards %s in its one lowercase form', (tenant) => {
    expect(req('GET', `${BASE}/types`, { headers: { 'ngsild-tenant': tenant } }).tenant).toBe('city');
  });

  it.each([
    ['fiware-service', 'b', 'fiware_service_header'],
    ['fiware-servicepath', '/', 'fiware_service_header'],
    ['x-http-method-override', 'DELETE', 'method_override_header'],
    ['x-http-method', 'DELETE', 'method_override_header'],
    ['x-method-override', 'DELETE', 'method_override_header'],
  ])('refuses a request carrying %s', (name, value, reason) => {
    expectRefused(() => req('GET', `${BASE}/types`, { headers: { [name]: value, 'ngsild-tenant': 'a' } }), 'BAD_REQUEST', reason);
  });

  it('absent means the default tenant', () => {
    expect(req('GET', `${BASE}/types`).tenant).toBeUndefined();
  });

  it.each<[string | string[]]>([
    [''], ['x'.repeat(65)], ['a b'], ['a/b'], ['../other'], ['a, b'], ['tenant\u0000'], ['é'], [['a', 'b']],
  ])('refuses %j', (tenant) => {
    expectRefused(() => req('GET', `${BASE}/types`, { headers: { 'ngsild-tenant': tenant } }), 'BAD_REQUEST', 'invalid_tenant');
  });
});

describe('Link header', () => {
  const CTX = 'https://ctx.example/city.jsonld';
  it('keeps the JSON-LD context link for forwarding', () => {
    const r = req('GET', `${BASE}/types`, { headers: { link: `<${CTX}>; rel="http://www.w3.org/ns/json-ld#context"` } });
    expect(r.contextLink).toBe(CTX);
    expect(req('GET', `${BASE}/types`).contextLink).toBeUndefined();
  });

  it('refuses any other link, whatever its rel', () => {
    for (const link of [`<${CTX}>; rel="describedby"`, `<${CTX}>`, `<${CTX}>; rel="http://www.w3.org/ns/json-ld#context", <https://evil.example/x>; rel=next`]) {
      expectRefused(() => req('GET', `${BASE}/types`, { headers: { link } }), 'BAD_REQUEST', 'link_not_context');
    }
  });
});

describe('query parameters feed the request model', () => {
  it('ids, patterns, types, attrs and every filter', () => {
    const r = req('GET', `${BASE}/entities?` + [
      'id=urn%3Aa,%20urn%3Ab', 'idPattern=urn%3Ac.*', 'type=(Car%3BVehicle)|Bus', 'attrs=speed,name',
      'pick=id,type,brand', 'omit=secret', 'q=rpm%3E1%3Bowner%5Bname%5D==%22x%22', 'scopeQ=/Madrid',
      'georel=near%3BmaxDistance==10', 'geometry=Point', 'coordinates=%5B1,2%5D', 'options=keyValues,sysAttrs',
      'join=inline', 'joinLevel=2',
    ].join('&'));
    expect(r.operation).toBe('entity.query');
    expect(r.entityIds).toEqual(['urn:a', 'urn:b']);
    expect(r.idPatterns).toEqual(['urn:c.*']);
    expect(r.types).toEqual(['Car', 'Vehicle', 'Bus']);
    expect(r.attrs).toEqual(['speed', 'name', 'brand']);
    expect(r.options).toEqual(['keyValues', 'sysAttrs']);
    expect(r.filterReads).toEqual([
      { attr: 'speed', via: 'attrs' }, { attr: 'name', via: 'attrs' },
      { attr: 'brand', via: 'pick' }, { attr: 'secret', via: 'omit' },
      { attr: 'rpm', via: 'q' }, { attr: 'owner', via: 'q' },
      { attr: 'scope', via: 'scopeQ' },
      { attr: 'location', via: 'geoproperty' },
      { attr: '*', via: 'join' },
    ]);
    expect(r.format).toBeUndefined();
    expect(r.bodyHasContext).toBe(false);
  });

  it('a named geoproperty and timeproperty are reads', () => {
    const r = req('GET', `${BASE}/temporal/entities?type=Car&georel=within&geometry=Polygon&coordinates=x&geoproperty=area&timerel=after&timeAt=t&timeproperty=modifiedAt`);
    expect(r.action).toBe('readTemporal');
    expect(r.filterReads).toEqual([
      { attr: 'area', via: 'geoproperty' }, { attr: 'modifiedAt', via: 'timeproperty' },
    ]);
  });

  it('pick/omit projections name their top-level attributes, never id or type', () => {
    const r = req('GET', `${BASE}/entities/urn%3Aa?pick=id,type,brand%7Bname,model%7Bcode%7D%7D,speed&omit=owner|driver%7Bname%7D`);
    expect(r.attrs).toEqual(['brand', 'speed']);
    expect(r.filterReads).toEqual([
      { attr: 'brand', via: 'pick' }, { attr: 'speed', via: 'pick' },
      { attr: 'owner', via: 'omit' }, { attr: 'driver', via: 'omit' },
    ]);
  });

  it('an aggregation reads the attributes it names, or every attribute', () => {
    const T = `${BASE}/temporal/entities`;
    expect(req('GET', `${T}?type=A&aggrMethods=sum&aggrPeriodDuration=PT1H&attrs=speed`).filterReads).toEqual([
      { attr: 'speed', via: 'attrs' }, { attr: 'speed', via: 'aggr' },
    ]);
    expect(req('GET', `${T}?type=A&aggrMethods=sum`).filterReads).toEqual([{ attr: '*', via: 'aggr' }]);
    expect(req('GET', `${T}?type=A&options=aggregatedValues`).filterReads).toEqual([{ attr: '*', via: 'aggr' }]);
    expect(req('GET', `${T}/urn%3Aa?aggrMethods=max&pick=speed`).filterReads).toEqual([
      { attr: 'speed', via: 'pick' }, { attr: 'speed', via: 'aggr' },
    ]);
    expect(req('GET', `${T}?type=A&attrs=speed`).filterReads).toEqual([{ attr: 'speed', via: 'attrs' }]);
  });

  it('join=@none follows nothing', () => {
    expect(req('GET', `${BASE}/entities?type=A&join=@none`).filterReads).toEqual([]);
  });

  it('GeoJSON from Accept or format; a named geometry property is a read, the default one is not named', () => {
    const accept = req('GET', `${BASE}/entities?type=Car`, { headers: { accept: 'application/json;q=0.5, application/geo+json' } });
    expect(accept.format).toBe('geojson');
    expect(accept.filterReads).toEqual([]);
    const param = req('GET', `${BASE}/entities/urn%3Aa?format=geojson&geometryProperty=area`);
    expect(param.format).toBe('geojson');
    expect(param.filterReads).toEqual([{ attr: 'area', via: 'geometryProperty' }]);
    const simplified = req('GET', `${BASE}/entities?type=Car&format=simplified`, { headers: { accept: ['application/ld+json'] } });
    expect(simplified.format).toBe('simplified');
    expect(simplified.filterReads).toEqual([]);
  });

  it('a read without query parameters still takes GeoJSON from Accept, and only from there', () => {
    expect(req('GET', `${BASE}/entities/urn%3Aa`, { headers: { accept: 'application/geo+json' } }).format).toBe('geojson');
    expect(req('GET', `${BASE}/entities/urn%3Aa`, { headers: { accept: ['application/json', 'Application/GEO+JSON;q=0.1'] } }).format).toBe('geojson');
    const plain = req('GET', `${BASE}/entities/urn%3Aa`, { headers: { accept: 'application/json' } });
    expect(plain.format).toBeUndefined();
    expect(plain).not.toHaveProperty('format');
    expect(req('GET', `${BASE}/entities/urn%3Aa`, { headers: { accept: 'application/geo+json-seq' } }).format).toBeUndefined();
    expect(req('GET', `${BASE}/entities/urn%3Aa?`).format).toBeUndefined();
  });

  it.each(['attrs=a,,b', 'id=urn%3Aa,', 'options=,keyValues', 'pick=a{b', 'omit=a}', 'pick=a{b}c', 'pick={b}', 'pick=a,'])('refuses malformed list %s', (qs) => {
    expectRefused(() => req('GET', `${BASE}/entities?type=A&${qs}`), 'BAD_REQUEST', 'invalid_parameter');
  });

  it('refuses a malformed q or type', () => {
    expectRefused(() => req('GET', `${BASE}/entities?q=a%3D%3D`), 'BAD_REQUEST', 'invalid_q');
    expectRefused(() => req('GET', `${BASE}/entities?type=A%7C%7CB`), 'BAD_REQUEST', 'invalid_type_expression');
  });
});

describe('classifier', () => {
  it('works for another API base', () => {
    const c = createClassifier({ basePath: '/broker/ngsi-ld/v1' });
    const r = c({ method: 'GET', url: '/broker/ngsi-ld/v1/entities/urn%3Aa', headers: {} });
    expect(r.path).toBe('/broker/ngsi-ld/v1/entities/urn%3Aa');
    expectRefused(() => c({ method: 'GET', url: '/ngsi-ld/v1/entities', headers: {} }), 'NOT_FOUND', 'unknown_path');
  });

  it('turns an unexpected failure into an internal error, never into a classification', () => {
    const c = createClassifier({ basePath: BASE });
    const hostile = new Proxy({}, { ownKeys: () => { throw new TypeError('boom'); } });
    expectRefused(() => c({ method: 'POST', url: `${BASE}/entities`, headers: {}, body: hostile }), 'INTERNAL', 'internal_error');
  });
});
