import { describe, expect, it } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { compileBasePath, createClassifier } from '../../src/ngsi/index.js';
import { LOCATED_PATH_MAX_LENGTH, LocatedPaths } from '../../src/ngsi/located-paths.js';
import { BASE, expectRefused } from './ngsi-fixtures.js';

const base = compileBasePath(BASE);
const ID = 'urn:ngsi-ld:ParkingSpot:santander:daoiz_velarde_1_5:3';

function refusal(fn: () => unknown): { code: string; reason: string | undefined } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MimtrustError);
    return { code: (err as MimtrustError).code, reason: (err as MimtrustError).reason };
  }
  throw new Error('expected a refusal');
}

describe('located paths (the per-path memo of classification)', () => {
  it('gives a kept path the same canonical form and route as the first time', () => {
    const paths = new LocatedPaths(base);
    const first = paths.route(`${BASE}/entities/${ID}`, 'GET');
    const again = paths.route(`${BASE}/entities/${ID}`, 'GET');
    expect(again).toEqual(first);
    expect(again.located.path).toBe(`${BASE}/entities/${encodeURIComponent(ID)}`);
    expect(again.route).toEqual({ operation: 'entity.retrieve', action: 'read', entityId: ID });
    expect(paths.size).toBe(1);
  });

  it('keeps the route per method: a kept GET does not answer for a DELETE, nor lets a refused method through', () => {
    const paths = new LocatedPaths(base);
    const path = `${BASE}/entities/${ID}`;
    expect(paths.route(path, 'GET').route.operation).toBe('entity.retrieve');
    expect(paths.route(path, 'DELETE').route).toMatchObject({ operation: 'entity.delete', action: 'delete' });
    expect(paths.route(path, 'GET').route.action).toBe('read');
    for (let i = 0; i < 2; i++) expect(refusal(() => paths.route(path, 'POST'))).toEqual({ code: 'METHOD_NOT_ALLOWED', reason: 'method_not_allowed' });
    expect(refusal(() => paths.route(path, 'get'))).toEqual({ code: 'METHOD_NOT_ALLOWED', reason: 'method_not_allowed' });
  });

  it('keys on the path exactly as received: another spelling of a kept path is checked on its own', () => {
    const paths = new LocatedPaths(base);
    paths.route(`${BASE}/entities/urn:a/attrs/speed`, 'DELETE');
    // What a lenient server would read as the kept path (or another resource) stays refused.
    for (const attack of [
      `${BASE}/entities/urn:a/attrs/../attrs/speed`,
      `${BASE}/entities/urn:a/attrs/%2e%2e/attrs/speed`,
      `${BASE}/entities/urn:a/attrs//speed`,
      `${BASE}/entities/urn:a/attrs\\speed`,
      `${BASE}/entities/urn:a%2F..%2Fattrs%2Fspeed`,
    ]) {
      for (let i = 0; i < 2; i++) expect(refusal(() => paths.route(attack, 'DELETE')), attack).toEqual({ code: 'BAD_REQUEST', reason: 'path_not_canonical' });
    }
    // An encoded slash is part of the id, not a path separator, kept or not.
    expect(paths.route(`${BASE}/entities/urn:a%2Fattrs%2Fspeed`, 'DELETE').route).toMatchObject({ operation: 'entity.delete', entityId: 'urn:a/attrs/speed' });
    // Two spellings of one resource: two entries, one canonical form.
    expect(paths.route(`${BASE}/entities/urn:%61`, 'GET').located.path).toBe(paths.route(`${BASE}/entities/urn:a`, 'GET').located.path);
    expect(paths.size).toBe(4);
  });

  it('never keeps a refused path, nor one that no method has matched', () => {
    const paths = new LocatedPaths(base);
    for (let i = 0; i < 3; i++) {
      expect(refusal(() => paths.route(`${BASE}/entities/a%00b`, 'GET'))).toEqual({ code: 'BAD_REQUEST', reason: 'path_not_canonical' });
      expect(refusal(() => paths.route(`${BASE}/snapshots`, 'GET'))).toEqual({ code: 'NOT_FOUND', reason: 'unknown_path' });
      expect(refusal(() => paths.route(`${BASE}/entities`, 'DELETE'))).toEqual({ code: 'METHOD_NOT_ALLOWED', reason: 'method_not_allowed' });
    }
    expect(paths.size).toBe(0);
    paths.route(`${BASE}/entities`, 'GET');
    expect(paths.size).toBe(1);
  });

  it('stays within its bound under a flood of distinct paths, and answers right after starting over', () => {
    const paths = new LocatedPaths(base, 16);
    for (let i = 0; i < 1000; i++) {
      const { located, route } = paths.route(`${BASE}/entities/urn:e:${i}`, 'GET');
      expect(route.entityId).toBe(`urn:e:${i}`);
      expect(located.path).toBe(`${BASE}/entities/urn%3Ae%3A${i}`);
      expect(paths.size).toBeLessThanOrEqual(16);
    }
  });

  it('does not keep paths longer than its limit, and still classifies them', () => {
    const paths = new LocatedPaths(base);
    const long = `${BASE}/entities/urn:${'x'.repeat(LOCATED_PATH_MAX_LENGTH)}`;
    expect(paths.route(long, 'GET').route.entityId).toBe(`urn:${'x'.repeat(LOCATED_PATH_MAX_LENGTH)}`);
    expect(paths.size).toBe(0);
  });
});

describe('classification with kept paths', () => {
  it('decides the tenant, query and headers of every request afresh, whatever path was kept', () => {
    const classify = createClassifier({ basePath: BASE });
    const url = `${BASE}/entities/${ID}`;
    const a = classify({ method: 'GET', url, headers: { 'ngsild-tenant': 'city-a' } });
    const b = classify({ method: 'GET', url: `${url}?attrs=status`, headers: { 'ngsild-tenant': 'city-b' } });
    const none = classify({ method: 'GET', url, headers: {} });
    expect([a.tenant, b.tenant, none.tenant]).toEqual(['city-a', 'city-b', undefined]);
    expect(a.attrs).toEqual([]);
    expect(b.attrs).toEqual(['status']);
    expect(b.path).toBe(a.path);
    // A kept path does not let a refused header or tenant through.
    expectRefused(() => classify({ method: 'GET', url, headers: { 'ngsild-tenant': 'a/b' } }), 'BAD_REQUEST', 'invalid_tenant');
    expectRefused(() => classify({ method: 'GET', url, headers: { 'fiware-service': 'city-a' } }), 'BAD_REQUEST', 'fiware_service_header');
    expectRefused(() => classify({ method: 'GET', url: `${url}?nope=1`, headers: {} }), 'BAD_REQUEST', 'unknown_parameter');
    // Each request gets arrays of its own: changing one leaves the next untouched.
    a.entityIds.push('urn:other');
    expect(classify({ method: 'GET', url, headers: {} }).entityIds).toEqual([ID]);
  });
});
