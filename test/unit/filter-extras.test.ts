import { describe, it, expect } from 'vitest';
import { filterEntities, filterResponse } from '../../src/filter/index.js';
import { FULL_SCOPE } from '../../src/policy/index.js';
import type { AttributeScope } from '../../src/policy/index.js';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const expand = (t: string) => (t.includes(':') ? t : V + t);
const only = (...a: string[]): AttributeScope => ({ kind: 'only', attrs: new Set(a.map((x) => V + x)) });

const entities = [
  { id: 'urn:a', type: 'ParkingSpot', status: { type: 'Property', value: 'free' }, owner: { type: 'Property', value: 'x' } },
  { id: 'urn:b', type: 'Tram', line: { type: 'Property', value: '4' }, driver: { type: 'Property', value: 'Bob' } },
  { id: 'urn:c', type: ['ParkingSpot', 'SecretSite'], status: { type: 'Property', value: 'free' } },
];

describe('view extras: other types and excluded types', () => {
  it('shows entities of types the view does not name through otherTypes, cut to that scope', () => {
    const out = filterEntities(entities, new Map([[V + 'ParkingSpot', only('status')]]), expand, undefined, [], { otherTypes: only('line') });
    expect(out.items.map((e) => e.id)).toEqual(['urn:a', 'urn:b', 'urn:c']);
    expect(out.items[1]).toEqual({ id: 'urn:b', type: 'Tram', line: { type: 'Property', value: '4' } });
  });

  it('drops an entity carrying an excluded type even when another of its types is shown', () => {
    const out = filterEntities(entities, new Map([[V + 'ParkingSpot', FULL_SCOPE]]), expand, undefined, [], { excludeTypes: new Set([V + 'SecretSite']) });
    expect(out.items.map((e) => e.id)).toEqual(['urn:a']);
    expect(out.dropped).toBe(2);
  });

  it('applies both through filterResponse', () => {
    const out = filterResponse({
      operation: 'entity.query', body: entities, view: new Map(), options: [], expand,
      otherTypes: FULL_SCOPE, excludeTypes: new Set([V + 'SecretSite']),
    });
    expect((out.body as Array<{ id: string }>).map((e) => e.id)).toEqual(['urn:a', 'urn:b']);
    expect(out.droppedEntities).toBe(1);
  });
});
