import { describe, it, expect } from 'vitest';
import { compileContracts, ContractError, defaultExpander, type PolicySnapshot, type Provider } from '../../src/contracts/index.js';
import { findOverlap, literalPrefix, patternsDisjoint, providerOf } from '../../src/contracts/providers.js';
import { compileIdPattern, type IdPattern } from '../../src/contracts/regex.js';
import { decideContracts } from '../../src/policy/index.js';
import { doc, PARTIES, request, role, target, V } from './contracts-fixtures.js';

const re = (source: string): IdPattern => compileIdPattern(source) as IdPattern;

/** Parking owns spots in the default tenant and in `parking`, and its own bike stations by id. */
const parking = providerOf('parking', undefined, [
  { tenants: ['@default', 'parking'], types: [`${V}ParkingSpot`, `${V}OffStreetParking`], idPatterns: null },
  { tenants: ['@default'], types: [`${V}BikeStation`], idPatterns: [re('urn:ngsi-ld:BikeStation:parking:.*')] },
]);
const transit = providerOf('transit', undefined, [
  { tenants: ['@default', 'transit'], types: [`${V}Tram`], idPatterns: null },
  { tenants: ['@default'], types: [`${V}BikeStation`], idPatterns: [re('urn:ngsi-ld:BikeStation:transit:.*')] },
]);

const tenant = (...t: string[]) => ({ leftOperand: 'ngsi:tenant', operator: 'isAnyOf', rightOperand: t });
const idsAnyOf = (...ids: string[]) => ({ leftOperand: 'ngsi:entityId', operator: 'isAnyOf', rightOperand: ids });

function apiSnapshot(...contracts: Array<[Provider | null, Record<string, unknown>]>): PolicySnapshot {
  return compileContracts(contracts.map(([provider, d], i) => ({ source: `api:${i}`, doc: d, expand: defaultExpander, api: { provider } })), PARTIES);
}

function refused(provider: Provider, d: Record<string, unknown>): ContractError {
  try {
    apiSnapshot([provider, d]);
  } catch (err) {
    if (err instanceof ContractError) return err;
    throw err;
  }
  throw new Error('the contract was accepted');
}

const readAll = (uid: string, t: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  doc(uid, { permission: [{ uid: `${uid}:read`, target: t, action: 'ngsi:read', assignee: role('viewer'), ...extra }] });

const viewer = (over: Parameters<typeof request>[0] = {}) => request({ subject: { sub: 'v', roles: ['viewer'] }, ...over });
const decide = (snap: PolicySnapshot, over: Parameters<typeof request>[0] = {}) => decideContracts(viewer(over), snap, { counters: new Map(), decisionId: 'd' });

describe('id pattern prefixes', () => {
  it('keeps only what every match starts with', () => {
    expect(literalPrefix('urn:ngsi-ld:BikeStation:parking:.*')).toBe('urn:ngsi-ld:BikeStation:parking:');
    expect(literalPrefix('^urn:x\\.y:[0-9]+')).toBe('urn:x.y:');
    expect(literalPrefix('urn:ab?c')).toBe('urn:a'); // b may be absent
    expect(literalPrefix('urn:ab*')).toBe('urn:a');
    expect(literalPrefix('urn:ab{2}')).toBe('urn:a');
    expect(literalPrefix('urn:ab+c')).toBe('urn:ab'); // at least one b, maybe more
    expect(literalPrefix('urn:a\\d+')).toBe('urn:a');
    expect(literalPrefix('urn:a(b|c)')).toBe('urn:a');
    expect(literalPrefix('urn:a|urn:b')).toBe(''); // an alternation at the top shares nothing
    expect(literalPrefix('(?i)urn:a')).toBe('');
  });

  it('calls two patterns disjoint only when their prefixes part', () => {
    expect(patternsDisjoint(re('urn:x:a:.*'), re('urn:x:b:.*'))).toBe(true);
    expect(patternsDisjoint(re('urn:x:a.*'), re('urn:x:ab:.*'))).toBe(false);
    expect(patternsDisjoint(re('urn:x:a:.*'), re('.*'))).toBe(false);
    expect(patternsDisjoint(re('urn:x:a:.*|urn:x:b:.*'), re('urn:x:b:.*'))).toBe(false);
  });
});

describe('providers that may own the same entity', () => {
  it('accepts a shared type split by id prefixes, and a type each owns in a different tenant', () => {
    expect(findOverlap([parking, transit])).toBeUndefined();
  });

  it('refuses a shared type that one of them owns whole', () => {
    const greedy = providerOf('greedy', undefined, [{ tenants: ['parking'], types: [`${V}ParkingSpot`], idPatterns: [re('urn:ngsi-ld:ParkingSpot:greedy:.*')] }]);
    expect(findOverlap([parking, greedy])).toEqual({ providers: ['parking', 'greedy'], tenant: 'parking', type: `${V}ParkingSpot` });
  });

  it('refuses patterns that may match the same id', () => {
    const loose = providerOf('loose', undefined, [{ tenants: ['@default'], types: [`${V}BikeStation`], idPatterns: [re('urn:ngsi-ld:BikeStation:.*')] }]);
    expect(findOverlap([parking, loose])?.type).toBe(`${V}BikeStation`);
  });

  it('merges entries: a type owned whole in one entry is owned whole', () => {
    const p = providerOf('p', undefined, [
      { tenants: ['a'], types: [`${V}T`], idPatterns: [re('urn:t:1')] },
      { tenants: ['a'], types: [`${V}T`], idPatterns: null },
      { tenants: ['a'], types: [`${V}U`], idPatterns: [re('urn:u:1')] },
      { tenants: ['a'], types: [`${V}U`], idPatterns: [re('urn:u:2')] },
    ]);
    expect(p.owns.get('a')?.get(`${V}T`)).toBeNull();
    expect(p.owns.get('a')?.get(`${V}U`)?.map((x) => x.source)).toEqual(['urn:u:1', 'urn:u:2']);
  });
});

describe('a provider contract is refused beyond what the provider owns', () => {
  it('names the entity type it does not own', () => {
    const err = refused(parking, readAll('urn:c', target('Tram')));
    expect(err.code).toBe('ERR_CONTRACT_NOT_OWNED');
    expect(err.message).toContain(`${V}Tram`);
    expect(err.toMimtrustError().status).toBe(403);
  });

  it('names the tenant it owns nothing in, and a type it owns elsewhere only', () => {
    expect(refused(parking, readAll('urn:c', target('ParkingSpot', tenant('transit')))).term).toBe('transit');
    const elsewhere = refused(parking, readAll('urn:c', target('BikeStation', tenant('parking'))));
    expect(elsewhere.term).toBe(`${V}BikeStation`);
    expect(elsewhere.message).toContain('tenant parking');
  });

  it('names an entity id it does not own', () => {
    const err = refused(parking, readAll('urn:c', target('BikeStation', idsAnyOf('urn:ngsi-ld:BikeStation:transit:1'))));
    expect(err.term).toBe('urn:ngsi-ld:BikeStation:transit:1');
  });

  it('refuses a prohibition on another provider\'s type too', () => {
    const d = doc('urn:c', { prohibition: [{ uid: 'no', target: target('Tram'), action: 'ngsi:read' }] });
    expect(refused(parking, d).term).toBe(`${V}Tram`);
  });

  it('refuses types owned only in different tenants, asking for the tenants', () => {
    const split = providerOf('split', undefined, [
      { tenants: ['a'], types: [`${V}A`], idPatterns: null },
      { tenants: ['b'], types: [`${V}B`], idPatterns: null },
    ]);
    expect(refused(split, readAll('urn:c', target(['A', 'B']))).message).toContain('name the tenants');
  });
});

describe('a provider contract is narrowed to what the provider owns', () => {
  it('a rule without a type opens only the provider\'s own types', () => {
    const snap = apiSnapshot([parking, readAll('urn:all', target(null))]);
    expect(decide(snap, { types: [`${V}ParkingSpot`] }).effect).toBe('permit');
    expect(decide(snap, { types: [`${V}Tram`] })).toMatchObject({ effect: 'deny', reason: 'no_matching_permission' });
    expect(decide(snap, { types: [`${V}Tram`], tenant: 'transit' }).effect).toBe('deny');
    // A read without type shows only owned types; nothing else passes the response filter.
    const untyped = decide(snap, { typeUnknown: true, entityIds: ['urn:ngsi-ld:Tram:1'], operation: 'entity.retrieve' });
    expect(untyped.effect).toBe('permit');
    expect([...(untyped.obligations.view?.keys() ?? [])].sort()).toEqual([`${V}OffStreetParking`, `${V}ParkingSpot`]);
    expect(untyped.obligations.otherTypes).toBeUndefined();
  });

  it('the same rule written by the operator opens everything', () => {
    const snap = apiSnapshot([null, readAll('urn:all', target(null))]);
    expect(decide(snap, { types: [`${V}Tram`], tenant: 'transit' }).effect).toBe('permit');
  });

  it('a rule without a tenant applies only in the provider\'s tenants', () => {
    const snap = apiSnapshot([parking, readAll('urn:spots', target('ParkingSpot'))]);
    expect(decide(snap, { types: [`${V}ParkingSpot`] }).effect).toBe('permit');
    expect(decide(snap, { types: [`${V}ParkingSpot`], tenant: 'parking' }).effect).toBe('permit');
    expect(decide(snap, { types: [`${V}ParkingSpot`], tenant: 'transit' }).effect).toBe('deny');
    expect(decide(snap, { types: [`${V}ParkingSpot`], tenant: 'elsewhere' }).effect).toBe('deny');
  });

  it('a type owned for some ids only is opened for those ids only, and not to a query by type', () => {
    const snap = apiSnapshot([parking, readAll('urn:bikes', target('BikeStation'))]);
    const byId = (id: string) => decide(snap, { types: [`${V}BikeStation`], entityIds: [id], operation: 'entity.retrieve' });
    expect(byId('urn:ngsi-ld:BikeStation:parking:1').effect).toBe('permit');
    expect(byId('urn:ngsi-ld:BikeStation:transit:1').effect).toBe('deny');
    expect(decide(snap, { types: [`${V}BikeStation`] }).effect).toBe('deny');
  });

  it('a prohibition without a type reaches only the provider\'s types', () => {
    const open = doc('urn:open', { permission: [{ uid: 'all', target: target(null), action: 'ngsi:read' }] });
    const ban = doc('urn:ban', { prohibition: [{ uid: 'none', target: target(null), action: 'ngsi:read' }] });
    const snap = apiSnapshot([null, open], [parking, ban]);
    expect(decide(snap, { types: [`${V}ParkingSpot`] })).toMatchObject({ effect: 'deny', reason: 'prohibited', rules: [{ contract: 'parking/urn:ban', rule: 'none', provider: 'parking' }] });
    expect(decide(snap, { types: [`${V}Tram`] })).toMatchObject({ effect: 'permit', rules: [{ contract: '@operator/urn:open', rule: 'all' }] });
  });

  it('a rule split into parts is named and counted once', () => {
    const counted = readAll('urn:counted', target(['ParkingSpot', 'BikeStation']), {
      constraint: [{ leftOperand: 'count', operator: 'lteq', rightOperand: 5 }],
    });
    const snap = apiSnapshot([parking, counted]);
    const d = decide(snap, { types: [`${V}ParkingSpot`, `${V}BikeStation`], entityIds: ['urn:ngsi-ld:BikeStation:parking:1'], operation: 'entity.retrieve' });
    expect(d.effect).toBe('permit');
    expect(d.rules).toEqual([{ contract: 'parking/urn:counted', rule: 'urn:counted:read', provider: 'parking' }]);
    expect(d.obligations.counters).toHaveLength(1);
  });
});

describe('namespaces', () => {
  it('keys API contracts under their provider, so two providers may use one uid', () => {
    const snap = apiSnapshot([parking, readAll('urn:same', target('ParkingSpot'))], [transit, readAll('urn:same', target('Tram'))]);
    expect([...snap.contracts.keys()].sort()).toEqual(['parking/urn:same', 'transit/urn:same']);
  });

  it('a file uid cannot take the form of an API contract key', () => {
    const file = (uid: string) => compileContracts([{ source: 'f.jsonld', doc: readAll(uid, target('T')), expand: defaultExpander }], PARTIES);
    expect(() => file('parking/urn:same')).toThrowError(/may not start with "<provider>\/"/);
    expect(() => file('@operator/urn:same')).toThrowError(ContractError);
    expect(file('urn:ngsi-ld:x/y').contracts.has('urn:ngsi-ld:x/y')).toBe(true);
  });

  it('a file and an API contract with one uid are both in force', () => {
    const snap = compileContracts([
      { source: 'f.jsonld', doc: readAll('urn:same', target('Tram')), expand: defaultExpander },
      { source: 'api:x', doc: readAll('urn:same', target('ParkingSpot')), expand: defaultExpander, api: { provider: parking } },
    ], PARTIES);
    expect([...snap.contracts.keys()].sort()).toEqual(['parking/urn:same', 'urn:same']);
  });
});
