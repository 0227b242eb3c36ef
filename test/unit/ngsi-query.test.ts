import { describe, expect, it } from 'vitest';
import { knownParameters, parseQuery } from '../../src/ngsi/index.js';
import { BASE, expectRefused, req } from './ngsi-fixtures.js';

const QUERY_PARAMS = knownParameters('entity.query');

describe('query string', () => {
  it('sorts parameters by name and re-encodes them', () => {
    const q = parseQuery('type=Car&attrs=speed,name&q=speed%3E50;name==%22A%20B%22&limit=10', QUERY_PARAMS);
    expect(q.entries.map(([n]) => n)).toEqual(['attrs', 'limit', 'q', 'type']);
    expect(q.params.get('q')).toBe('speed>50;name=="A B"');
    expect(q.search).toBe('?attrs=speed%2Cname&limit=10&q=speed%3E50%3Bname%3D%3D%22A%20B%22&type=Car');
  });

  it('gives the same canonical query for equivalent spellings', () => {
    const a = parseQuery('q=a%3D%3D1&type=Car', QUERY_PARAMS);
    const b = parseQuery('type=%43ar&q=a==1', QUERY_PARAMS);
    expect(a.search).toBe(b.search);
  });

  it("keeps '+' as a literal plus", () => {
    const q = parseQuery('q=observedAt>2020-01-01T00:00:00+01:00', QUERY_PARAMS);
    expect(q.params.get('q')).toBe('observedAt>2020-01-01T00:00:00+01:00');
    expect(q.search).toContain('%2B01%3A00');
  });

  it('reads a parameter without "=" as an empty value and drops empty pieces', () => {
    const q = parseQuery('count&&limit=1&', QUERY_PARAMS);
    expect(q.entries).toEqual([['count', ''], ['limit', '1']]);
    expect(q.search).toBe('?count=&limit=1');
  });

  it('an empty query forwards nothing', () => {
    expect(parseQuery('', QUERY_PARAMS).search).toBe('');
    expect(req('GET', `${BASE}/entities?`).search).toBe('');
  });

  it.each(['type=Car&type=Bus', 'attrs=a&attrs=b', 'type=Car&%74ype=Bus'])('refuses repeated %s', (qs) => {
    expectRefused(() => parseQuery(qs, QUERY_PARAMS), 'BAD_REQUEST', 'repeated_parameter');
  });

  it.each(['orderBy=name', 'Type=Car', 'attrs[]=a', 'foo', 'timerel=after'])('refuses unknown %s on entity query', (qs) => {
    expectRefused(() => parseQuery(qs, QUERY_PARAMS), 'BAD_REQUEST', 'unknown_parameter');
  });

  it.each(['q=%zz', 'q=a%00', '%ff=1', 'q=a b', 'q=caf\u00e9'])('refuses badly encoded %j', (qs) => {
    expectRefused(() => parseQuery(qs, QUERY_PARAMS), 'BAD_REQUEST', 'query_not_canonical');
  });

  it('knows parameters per operation', () => {
    expect(req('GET', `${BASE}/temporal/entities?type=Car&timerel=after&timeAt=2020-01-01T00:00:00Z&lastN=5`).operation)
      .toBe('temporal.query');
    expect(req('DELETE', `${BASE}/entities/e1/attrs/a?datasetId=urn%3Ad&deleteAll=true`).operation).toBe('attr.delete');
    expect(req('GET', `${BASE}/types?details=true`).operation).toBe('types.list');
    expectRefused(() => req('GET', `${BASE}/types?attrs=a`), 'BAD_REQUEST', 'unknown_parameter');
    expectRefused(() => req('GET', `${BASE}/subscriptions/s1?q=a`), 'BAD_REQUEST', 'unknown_parameter');
    expectRefused(() => req('DELETE', `${BASE}/entities/e1?attrs=a`), 'BAD_REQUEST', 'unknown_parameter');
    expectRefused(() => req('GET', `${BASE}/entities?orderBy=name`), 'BAD_REQUEST', 'unknown_parameter');
  });

  it('the classified request carries the canonical query', () => {
    const r = req('GET', `${BASE}/entities?type=Car&attrs=speed`);
    expect(r.query).toEqual([['attrs', 'speed'], ['type', 'Car']]);
    expect(r.search).toBe('?attrs=speed&type=Car');
  });
});
