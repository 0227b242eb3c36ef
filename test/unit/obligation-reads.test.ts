/**
 * What the gateway asks of the broker so an obligation can read what it needs: `location`
 * is added to `attrs` and `pick`, taken out of `omit`, in query strings and query bodies,
 * and nothing changes where the caller's projection already has it, projects nothing, or
 * aggregates.
 */
import { describe, expect, it } from 'vitest';
import { widenForReads, type ReadsInput } from '../../src/gateway/obligation-reads.js';
import { projectionItems } from '../../src/ngsi/index.js';

const V = 'https://uri.etsi.org/ngsi-ld/default-context/';
const LOCATION = 'https://uri.etsi.org/ngsi-ld/location';
const expand = (t: string) => (t === 'location' ? LOCATION : t.includes(':') ? t : V + t);
const input = (over: Partial<ReadsInput>): ReadsInput => ({
  operation: 'entity.query', query: [], body: undefined, options: [], reads: [{ iri: LOCATION, term: 'location' }], members: [], expand, ...over,
});
const widen = (query: Array<[string, string]>, over: Partial<ReadsInput> = {}) => widenForReads(input({ query, ...over }));

describe('widenForReads', () => {
  it('adds location to attrs, and the caller\'s attrs decide which entities match', () => {
    const w = widen([['attrs', 'totalConsumption'], ['type', 'WaterMeter']]);
    expect(w?.query).toEqual([['attrs', 'totalConsumption,location'], ['type', 'WaterMeter']]);
    expect(w?.fetched).toEqual({ attrs: new Set([LOCATION]), members: new Set(), matchedBy: new Set([`${V}totalConsumption`]) });
  });

  it('adds location to pick, keeping sub-attribute groups; pick does not match entities', () => {
    const w = widen([['pick', 'id,type,reading{unitCode|observedAt}']]);
    expect(w?.query).toEqual([['pick', 'id,type,reading{unitCode|observedAt},location']]);
    expect(w?.fetched).toEqual({ attrs: new Set([LOCATION]), members: new Set() });
  });

  it('adds the type member to a pick that leaves it out, and takes it out of omit: the view reads it', () => {
    const members = { members: ['type'] };
    const picked = widen([['pick', 'totalConsumption']], members);
    expect(picked?.query).toEqual([['pick', 'totalConsumption,location,type']]);
    expect(picked?.fetched).toEqual({ attrs: new Set([LOCATION]), members: new Set(['type']) });
    expect(widen([['pick', 'id,type,location']], members)).toBeUndefined();
    expect(widen([['omit', 'type,status']], { ...members, reads: [] })?.query).toEqual([['omit', 'status']]);
    // attrs never drops the type.
    expect(widen([['attrs', 'reading,location']], members)).toBeUndefined();
  });

  it('takes location out of omit, keeping the other items as written, or the parameter away', () => {
    expect(widen([['omit', 'status|location|reading{unitCode,observedAt}']])?.query).toEqual([['omit', 'status|reading{unitCode,observedAt}']]);
    expect(widen([['omit', 'location,status']])?.query).toEqual([['omit', 'status']]);
    expect(widen([['omit', 'location'], ['type', 'WaterMeter']])?.query).toEqual([['type', 'WaterMeter']]);
    // Omitting sub-attributes of location keeps its geometry.
    expect(widen([['omit', 'location{observedAt}']])).toBeUndefined();
  });

  it('changes nothing where the projection has location already, projects nothing, or aggregates', () => {
    expect(widen([['attrs', 'reading,location']])).toBeUndefined();
    expect(widen([['attrs', `reading,${LOCATION}`]])).toBeUndefined();
    expect(widen([['type', 'WaterMeter']])).toBeUndefined();
    expect(widen([['attrs', 'reading']], { operation: 'temporal.query', options: ['aggregatedValues'] })).toBeUndefined();
    expect(widen([['attrs', 'reading'], ['aggrMethods', 'sum']], { operation: 'temporal.query' })).toBeUndefined();
    expect(widen([['attrs', 'reading']], { reads: [], members: ['type'] })).toBeUndefined();
    // Not a projected read: a write's attrs are left alone.
    expect(widen([['attrs', 'reading']], { operation: 'entity.create' })).toBeUndefined();
  });

  it('widens a query body, in the form the caller gave each member', () => {
    const body = JSON.stringify({ type: 'Query', entities: [{ type: 'WaterMeter' }], attrs: ['reading'], pick: 'id,type,reading', omit: ['location', 'status'] });
    const w = widenForReads(input({ operation: 'batch.query', body }));
    expect(JSON.parse(w!.body!)).toEqual({ type: 'Query', entities: [{ type: 'WaterMeter' }], attrs: ['reading', 'location'], pick: 'id,type,reading,location', omit: ['status'] });
    expect(w?.fetched.matchedBy).toEqual(new Set([`${V}reading`]));
    const only = widenForReads(input({ operation: 'temporal.batch.query', body: JSON.stringify({ type: 'Query', attrs: 'reading', omit: ['location'] }) }));
    expect(JSON.parse(only!.body!)).toEqual({ type: 'Query', attrs: 'reading,location' });
  });
});

describe('projectionItems', () => {
  it('splits at top-level separators only, remembering each', () => {
    expect(projectionItems('a,b{c,d}|e')).toEqual([{ text: 'a', separator: '' }, { text: 'b{c,d}', separator: ',' }, { text: 'e', separator: '|' }]);
    expect(projectionItems('')).toEqual([]);
  });
});
