import { describe, expect, it } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { compileBasePath, normalizePath } from '../../src/ngsi/index.js';
import { BASE, expectRefused, req } from './ngsi-fixtures.js';

describe('path canonicalisation', () => {
  it.each([
    `${BASE}/entities/../subscriptions`,
    `${BASE}/entities/%2e%2e/subscriptions`,
    `${BASE}/entities/%2E%2E/subscriptions`,
    `${BASE}/entities/.%2e/subscriptions`,
    `${BASE}/entities/%2e./subscriptions`,
    `${BASE}/./entities`,
    `${BASE}/%2e/entities`,
    `/ngsi-ld/v1//entities`,
    `//ngsi-ld/v1/entities`,
    `${BASE}/entities//`,
    `${BASE}/entities/urn:a//`,
    `${BASE}/entities//attrs/`,
    `${BASE}/entities\\..\\subscriptions`,
    `${BASE}/entities/a%5Cb`,
    `${BASE}/entities/a%00b`,
    `${BASE}/entities/a%0ab`,
    `${BASE}/entities/a%7fb`,
    `${BASE}/entities/a%c2%85b`,
    `${BASE}/entities/a\u0000b`,
    `${BASE}/entities/a b`,
    `${BASE}/entities/caf\u00e9`,
    `${BASE}/entities/%zz`,
    `${BASE}/entities/%e0%a4`,
    `${BASE}/entities/abc%`,
    `${BASE}/entities/x#frag`,
    `${BASE}/entities/urn%3Aa%2F..%2Fb`,
    `${BASE}/entities/urn%3Aa%2F.`,
    'http://broker/ngsi-ld/v1/entities',
    '*',
  ])('refuses %j', (url) => {
    expectRefused(() => req('GET', url), 'BAD_REQUEST', 'path_not_canonical');
  });

  it('keeps an encoded slash inside the entity id and re-encodes it', () => {
    const r = req('GET', `${BASE}/entities/https%3A%2F%2Fexample.org%2Fa`);
    expect(r.operation).toBe('entity.retrieve');
    expect(r.entityIds).toEqual(['https://example.org/a']);
    expect(r.path).toBe(`${BASE}/entities/https%3A%2F%2Fexample.org%2Fa`);
  });

  const entity = { id: 'urn:a', type: 'Car' };
  const attrs = { speed: { type: 'Property', value: 1 } };
  it.each<[string, string, string, unknown]>([
    ['GET', 'entities/?type=Car', 'entity.query', undefined],
    ['POST', 'entities/', 'entity.create', entity],
    ['POST', 'entities/urn%3Aa/attrs/', 'attrs.append', attrs],
    ['PATCH', 'entities/urn%3Aa/attrs/', 'attrs.update', attrs],
    ['GET', 'subscriptions/', 'subscription.list', undefined],
    ['POST', 'temporal/entities/', 'temporal.create', entity],
    ['GET', 'csourceRegistrations/', 'csource.list', undefined],
    ['GET', 'types/', 'types.list', undefined],
    ['POST', 'entityOperations/upsert/', 'batch.upsert', [entity]],
  ])('classifies %s %s with its trailing slash as the bare form, and keeps the slash', (method, rel, operation, body) => {
    const extra = body === undefined ? {} : { body };
    const withSlash = req(method, `${BASE}/${rel}`, extra);
    const bare = req(method, `${BASE}/${rel.replace(/\/(\?|$)/, '$1')}`, extra);
    expect(withSlash.operation).toBe(operation);
    expect(bare.operation).toBe(operation);
    expect(withSlash.path).toBe(`${BASE}/${rel.split('?')[0]}`);
    expect(withSlash.path).toBe(bare.path + '/');
  });

  it('names no resource at the API base, with or without a slash', () => {
    expectRefused(() => req('GET', `${BASE}/`), 'NOT_FOUND', 'unknown_path');
    expectRefused(() => req('GET', BASE), 'NOT_FOUND', 'unknown_path');
  });

  it('re-encodes every segment from its decoded form', () => {
    // '%41' is 'A', ':' travels raw: both come out in one canonical spelling.
    const r = req('DELETE', `${BASE}/entities/urn:ngsi-ld:%41:1/attrs/sp%65ed`);
    expect(r.operation).toBe('attr.delete');
    expect(r.entityIds).toEqual(['urn:ngsi-ld:A:1']);
    expect(r.pathAttr).toBe('speed');
    expect(r.path).toBe(`${BASE}/entities/urn%3Angsi-ld%3AA%3A1/attrs/speed`);
  });

  it('matches the base on decoded segments and forwards its canonical spelling', () => {
    const r = req('GET', '/ngsi%2Dld/v1/types');
    expect(r.path).toBe('/ngsi-ld/v1/types');
  });

  it('splits the query off without touching it', () => {
    const base = compileBasePath(BASE);
    expect(normalizePath(`${BASE}/entities?type=Car&q=a%3D%3D1`, base)).toEqual({
      segments: ['entities'], path: `${BASE}/entities`, rawQuery: 'type=Car&q=a%3D%3D1',
    });
  });

  it('refuses a malformed base path at load time', () => {
    for (const b of ['ngsi-ld/v1', '/ngsi-ld/v1/', '/ngsi-ld/../v1']) {
      expect(() => compileBasePath(b)).toThrow(MimtrustError);
    }
    expect(compileBasePath('/api/ngsi-ld/v1').segments).toEqual(['api', 'ngsi-ld', 'v1']);
  });
});
