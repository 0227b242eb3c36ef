import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { decide as decideAll } from '../../src/policy/decision.js';
import { RoleChecker } from '../../src/policy/roles.js';
import { decideContracts as decide } from '../../src/policy/decide.js';
import { purposeWithin } from '../../src/contracts/purposes.js';
import type { AttributeScope, PolicyRequest } from '../../src/policy/types.js';
import type { PolicySnapshot } from '../../src/contracts/index.js';
import { attrsAnyOf, attrsNoneOf, doc, DPV, LOCAL_ISS, NOW, request, role, snapshot, target, V, type RequestOver } from './contracts-fixtures.js';

const PS = `${V}ParkingSpot`;
const AQ = `${V}AirQualityObserved`;
const area = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] };
const state = (counters: Record<string, number> = {}) => ({ counters: new Map(Object.entries(counters)), decisionId: 'd-1' });

function run(snap: PolicySnapshot, over: RequestOver, counters: Record<string, number> = {}) {
  return decide(request(over), snap, state(counters));
}

function scope(d: ReturnType<typeof run>, type: string): AttributeScope | undefined {
  return d.obligations.view?.get(type);
}

describe('purpose hierarchy', () => {
  it('admits narrower purposes, never broader', () => {
    expect(purposeWithin(`${DPV}ServiceOptimisation`, `${DPV}ServiceProvision`)).toBe(true);
    expect(purposeWithin(`${DPV}OptimiseUserInterface`, `${DPV}ServiceProvision`)).toBe(true);
    expect(purposeWithin(`${DPV}ServiceProvision`, `${DPV}ServiceOptimisation`)).toBe(false);
    expect(purposeWithin(`${DPV}PersonalisedAdvertising`, `${DPV}Personalisation`)).toBe(true);
    expect(purposeWithin('http://www.w3.org/ns/dpv#AcademicResearch', `${DPV}ResearchAndDevelopment`)).toBe(true);
    expect(purposeWithin('https://example.org/MyPurpose', `${DPV}Purpose`)).toBe(false);
  });
});

describe('decide: actions and assignees', () => {
  const snap = snapshot(
    doc('urn:c:public', { permission: [{ uid: 'read', target: target('ParkingSpot'), action: ['read', 'readTemporal', 'subscribe'] }] }),
    doc('urn:c:writer', { permission: [{ uid: 'w', target: target('ParkingSpot', attrsAnyOf('status')), assignee: 'operator-app', action: ['create', 'modify', 'delete'] }] }),
    doc('urn:c:role', { permission: [{ uid: 'r', target: target('AirQualityObserved'), assignee: role('researcher'), action: 'read' }] }),
    doc('urn:c:did', { permission: [{ uid: 'd', target: target('AirQualityObserved'), assignee: 'did:web:uni.example', action: 'readTemporal' }] }),
  );
  const table: Array<[string, RequestOver, 'permit' | 'deny', string]> = [
    ['anybody reads', { types: [PS] }, 'permit', 'permitted'],
    ['anybody reads history', { action: 'readTemporal', operation: 'temporal.query', types: [PS] }, 'permit', 'permitted'],
    ['anybody subscribes', { action: 'subscribe', operation: 'subscription.create', types: [PS] }, 'permit', 'permitted'],
    ['anybody may not modify', { action: 'modify', operation: 'attrs.update', types: [PS], attrs: [`${V}status`] }, 'deny', 'no_matching_permission'],
    ['client id may modify', { action: 'modify', operation: 'attrs.update', types: [PS], attrs: [`${V}status`], subject: { clientId: 'operator-app', roles: [] } }, 'permit', 'permitted'],
    ['client id may create', { action: 'create', operation: 'entity.create', types: [PS], attrs: [`${V}status`], subject: { clientId: 'operator-app', roles: [] } }, 'permit', 'permitted'],
    ['client id may delete an attribute', { action: 'delete', operation: 'attr.delete', types: [PS], attrs: [`${V}status`], subject: { clientId: 'operator-app', roles: [] } }, 'permit', 'permitted'],
    ['partial scope may not delete the entity', { action: 'delete', operation: 'entity.delete', types: [PS], subject: { clientId: 'operator-app', roles: [] } }, 'deny', 'attribute_not_permitted'],
    ['write of a forbidden attribute', { action: 'modify', operation: 'attrs.update', types: [PS], attrs: [`${V}status`, `${V}name`], subject: { clientId: 'operator-app', roles: [] } }, 'deny', 'attribute_not_permitted'],
    ['write without type needs an untyped permission', { action: 'modify', operation: 'attrs.update', typeUnknown: true, attrs: [`${V}status`], subject: { clientId: 'operator-app', roles: [] } }, 'deny', 'type_required'],
    ['role reads', { types: [AQ], subject: { roles: ['researcher'] } }, 'permit', 'permitted'],
    ['other role does not', { types: [AQ], subject: { roles: ['citizen'] } }, 'deny', 'no_matching_permission'],
    ['organisation DID reads history', { action: 'readTemporal', operation: 'temporal.query', types: [AQ], subject: { organisation: 'did:web:uni.example', roles: [] } }, 'permit', 'permitted'],
    ['type not permitted', { types: [`${V}Person`] }, 'deny', 'no_matching_permission'],
    ['two types, one not permitted', { types: [PS, AQ] }, 'deny', 'type_not_permitted'],
    ['two types, both permitted', { types: [PS, AQ], subject: { clientId: 'x', roles: ['researcher'] } }, 'permit', 'permitted'],
    ['register is outside contracts', { action: 'register', operation: 'csource.create' }, 'deny', 'no_matching_permission'],
    ['join is refused', { types: [PS], filterReads: [{ attr: `${V}refParkingSite`, via: 'join' }] }, 'deny', 'join_not_permitted'],
  ];
  it.each(table)('%s', (_n, over, effect, reason) => {
    const d = run(snap, over);
    expect([d.effect, d.reason]).toEqual([effect, reason]);
    expect(d.id).toBe('d-1');
    if (effect === 'permit') expect(d.rules.length).toBeGreaterThan(0);
  });

  it('lists the permitting rules for the audit log', () => {
    const d = run(snap, { types: [PS, AQ], subject: { clientId: 'x', roles: ['researcher'] } });
    expect(d.rules).toEqual(expect.arrayContaining([{ contract: 'urn:c:public', rule: 'read' }, { contract: 'urn:c:role', rule: 'r' }]));
  });
});

describe('decide: attributes and views', () => {
  const snap = snapshot(
    doc('urn:c:a', { permission: [{ uid: 'a', target: target('ParkingSpot', attrsAnyOf('status', 'name')), action: 'read' }] }),
    doc('urn:c:b', { permission: [{ uid: 'b', target: target('ParkingSpot', attrsAnyOf('location')), action: 'read' }] }),
    doc('urn:c:c', { permission: [{ uid: 'c', target: target('AirQualityObserved', attrsNoneOf('refDevice')), action: 'read' }] }),
  );

  it('unions the scopes of every applicable permission', () => {
    const d = run(snap, { types: [PS] });
    expect(scope(d, PS)).toEqual({ kind: 'only', attrs: new Set([`${V}status`, `${V}name`, `${V}location`]) });
  });

  it('isNoneOf gives everything but the named attributes', () => {
    const d = run(snap, { types: [AQ] });
    expect(scope(d, AQ)).toEqual({ kind: 'all', except: new Set([`${V}refDevice`]) });
  });

  it('without a type, the view covers every permitted type', () => {
    const d = run(snap, { typeUnknown: true, entityIds: ['urn:ngsi-ld:X:1'], operation: 'entity.retrieve' });
    expect(d.effect).toBe('permit');
    expect([...d.obligations.view!.keys()].sort()).toEqual([AQ, PS].sort());
    expect(d.obligations.otherTypes).toBeUndefined();
  });

  it('denies an explicitly requested attribute no type permits', () => {
    expect(run(snap, { types: [PS], attrs: [`${V}owner`] }).reason).toBe('attribute_not_permitted');
    expect(run(snap, { types: [PS], attrs: [`${V}status`] }).effect).toBe('permit');
  });

  it('denies a filter that reads an attribute some returned type may not show', () => {
    // status is readable on ParkingSpot, and on AirQualityObserved (all but refDevice).
    expect(run(snap, { types: [PS, AQ], filterReads: [{ attr: `${V}status`, via: 'q' }] }).effect).toBe('permit');
    // name is readable on ParkingSpot only: a q on it over both types is refused.
    expect(run(snap, { types: [PS, AQ], filterReads: [{ attr: `${V}refDevice`, via: 'q' }] }).reason).toBe('filter_reads_forbidden_attribute');
    expect(run(snap, { types: [PS], filterReads: [{ attr: `${V}owner`, via: 'scopeQ' }] }).reason).toBe('filter_reads_forbidden_attribute');
    // omit only removes data.
    expect(run(snap, { types: [PS], filterReads: [{ attr: `${V}owner`, via: 'omit' }] }).effect).toBe('permit');
  });

  it('an untyped full permission needs no filtering', () => {
    const s = snapshot(doc('urn:c:all', { permission: [{ uid: 'all', target: target(null), action: 'read', assignee: 'admin' }] }));
    const d = run(s, { typeUnknown: true, subject: { clientId: 'admin', roles: [] } });
    expect(d.effect).toBe('permit');
    expect(d.obligations.view).toBeUndefined();
  });

  it('an untyped partial permission shows other types through otherTypes', () => {
    const s = snapshot(doc('urn:c:all', { permission: [{ uid: 'all', target: target(null, attrsNoneOf('owner')), action: 'read' }] }));
    const d = run(s, { typeUnknown: true });
    expect(d.obligations.view?.size).toBe(0);
    expect(d.obligations.otherTypes).toEqual({ kind: 'all', except: new Set([`${V}owner`]) });
  });
});

describe('decide: prohibitions', () => {
  const permitAll = doc('urn:c:p', { permission: [{ uid: 'p', target: target(['ParkingSpot', 'AirQualityObserved']), action: 'use' }] });
  const snap = snapshot(
    permitAll,
    doc('urn:c:x', { prohibition: [
      { uid: 'no-owner', target: target('ParkingSpot', attrsAnyOf('owner')), action: ['read', 'modify'] },
      { uid: 'no-aq-delete', target: target('AirQualityObserved'), action: 'delete' },
      { uid: 'no-marketing', target: target(null), action: 'read', constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'dpv:Marketing' }] },
      { uid: 'no-secret', target: target('ParkingSpot', { leftOperand: 'ngsi:entityId', operator: 'eq', rightOperand: 'urn:ngsi-ld:ParkingSpot:secret' }), action: 'readTemporal' },
    ] }),
  );
  const table: Array<[string, RequestOver, 'permit' | 'deny', string]> = [
    ['whole-entity prohibition wins', { action: 'delete', operation: 'entity.delete', types: [AQ] }, 'deny', 'prohibited'],
    ['prohibited attribute on write', { action: 'modify', operation: 'attrs.update', types: [PS], attrs: [`${V}owner`] }, 'deny', 'prohibited'],
    ['other attributes on write', { action: 'modify', operation: 'attrs.update', types: [PS], attrs: [`${V}status`] }, 'permit', 'permitted'],
    ['prohibited attribute requested on read', { types: [PS], attrs: [`${V}owner`], purpose: `${DPV}ServiceProvision` }, 'deny', 'attribute_not_permitted'],
    ['prohibited attribute in a filter', { types: [PS], filterReads: [{ attr: `${V}owner`, via: 'q' }], purpose: `${DPV}ServiceProvision` }, 'deny', 'filter_reads_forbidden_attribute'],
    ['marketing purpose is prohibited', { types: [PS], purpose: `${DPV}DirectMarketing` }, 'deny', 'prohibited'],
    ['a broader purpose is prohibited too', { types: [PS], purpose: `${DPV}Purpose` }, 'deny', 'prohibited'],
    ['an unrelated purpose is not', { types: [PS], purpose: `${DPV}ServiceProvision` }, 'permit', 'permitted'],
    ['a purpose prohibition binds a request that declares none', { types: [PS] }, 'deny', 'prohibited'],
    ['and one that declares a purpose outside the DPV table', { types: [PS], purpose: 'https://example.org/purposes/Anything' }, 'deny', 'prohibited'],
    ['the old DPV namespace is read in prohibitions too', { types: [PS], purpose: 'http://www.w3.org/ns/dpv#DirectMarketing' }, 'deny', 'prohibited'],
    ['a vague purpose in the old namespace too', { types: [PS], purpose: 'http://www.w3.org/ns/dpv#Purpose' }, 'deny', 'prohibited'],
    ['entity prohibition hits a query by type', { action: 'readTemporal', operation: 'temporal.query', types: [PS] }, 'deny', 'prohibited'],
    ['entity prohibition hits the named entity', { action: 'readTemporal', operation: 'temporal.retrieve', types: [PS], entityIds: ['urn:ngsi-ld:ParkingSpot:secret'] }, 'deny', 'prohibited'],
    ['entity prohibition spares other entities', { action: 'readTemporal', operation: 'temporal.retrieve', types: [PS], entityIds: ['urn:ngsi-ld:ParkingSpot:1'] }, 'permit', 'permitted'],
  ];
  it.each(table)('%s', (_n, over, effect, reason) => {
    const d = run(snap, over);
    expect([d.effect, d.reason]).toEqual([effect, reason]);
    if (reason === 'prohibited') expect(d.rules[0]?.contract).toBe('urn:c:x');
  });

  it('prohibited attributes are cut from the view', () => {
    const d = run(snap, { types: [PS], purpose: `${DPV}ServiceProvision` });
    expect(scope(d, PS)).toEqual({ kind: 'all', except: new Set([`${V}owner`]) });
  });

  it('a whole-type prohibition drops that type from reads without a type', () => {
    const s = snapshot(permitAll, doc('urn:c:y', { prohibition: [{ uid: 'no-aq', target: target('AirQualityObserved'), action: 'read' }] }));
    const d = run(s, { typeUnknown: true });
    expect(d.effect).toBe('permit');
    expect(d.obligations.view?.has(AQ)).toBe(false);
    expect(d.obligations.excludeTypes?.has(AQ)).toBe(true);
    expect(run(s, { types: [AQ] }).reason).toBe('prohibited');
  });
});

describe('decide: constraints', () => {
  const perm = (uid: string, constraint: unknown[], extra: Record<string, unknown> = {}) =>
    doc(`urn:c:${uid}`, { permission: [{ uid, target: target('ParkingSpot'), action: 'read', constraint, ...extra }], ...('validFrom' in extra ? {} : {}) });
  const only = (c: unknown[], over: RequestOver, counters: Record<string, number> = {}, extra: Record<string, unknown> = {}) =>
    run(snapshot(perm('r', c, extra)), { types: [PS], ...over }, counters);
  const purpose = (p: string) => ({ leftOperand: 'purpose', operator: 'eq', rightOperand: p });
  const dt = (operator: string, at: string) => ({ leftOperand: 'dateTime', operator, rightOperand: at });
  const nowIso = new Date(NOW).toISOString();

  const table: Array<[string, unknown[], RequestOver, 'permit' | 'deny']> = [
    ['purpose equal', [purpose('dpv:ServiceProvision')], { purpose: `${DPV}ServiceProvision` }, 'permit'],
    ['purpose narrower', [purpose('dpv:ServiceProvision')], { purpose: `${DPV}ServiceOptimisation` }, 'permit'],
    ['purpose broader', [purpose('dpv:ServiceOptimisation')], { purpose: `${DPV}ServiceProvision` }, 'deny'],
    ['purpose missing', [purpose('dpv:ServiceProvision')], {}, 'deny'],
    ['purpose exactly, equal', [{ leftOperand: 'purpose', operator: 'ngsi:exactly', rightOperand: 'dpv:ServiceProvision' }], { purpose: `${DPV}ServiceProvision` }, 'permit'],
    ['purpose exactly, narrower is not admitted', [{ leftOperand: 'purpose', operator: 'ngsi:exactly', rightOperand: 'dpv:ServiceProvision' }], { purpose: `${DPV}ServiceOptimisation` }, 'deny'],
    ['purpose exactly, one of several', [{ leftOperand: 'purpose', operator: 'ngsi:exactly', rightOperand: ['dpv:Marketing', 'dpv:ServiceProvision'] }], { purpose: 'http://www.w3.org/ns/dpv#ServiceProvision' }, 'permit'],
    ['purpose outside the table in a permission', [purpose('dpv:Purpose')], { purpose: 'https://example.org/purposes/Anything' }, 'deny'],
    ['purpose in the old namespace', [purpose('dpv:ServiceProvision')], { purpose: 'http://www.w3.org/ns/dpv#ServiceOptimisation' }, 'permit'],
    ['dateTime neq at the instant', [dt('neq', nowIso)], {}, 'deny'],
    ['dateTime neq another instant', [dt('neq', '2020-01-01T00:00:00Z')], {}, 'permit'],
    ['recipient neq, another recipient', [{ leftOperand: 'recipient', operator: 'neq', rightOperand: 'did:web:ads' }], { recipient: { issuer: LOCAL_ISS, id: 'did:web:lab' } }, 'permit'],
    ['recipient neq, that recipient', [{ leftOperand: 'recipient', operator: 'neq', rightOperand: 'did:web:ads' }], { recipient: { issuer: LOCAL_ISS, id: 'did:web:ads' } }, 'deny'],
    ['role neq, caller without it', [{ leftOperand: 'role', operator: 'neq', rightOperand: 'contractor' }], { subject: { clientId: 'a', roles: ['staff'] } }, 'permit'],
    ['role neq, caller with it', [{ leftOperand: 'role', operator: 'neq', rightOperand: 'contractor' }], { subject: { clientId: 'a', roles: ['staff', 'contractor'] } }, 'deny'],
    ['purpose isAnyOf', [{ leftOperand: 'purpose', operator: 'isAnyOf', rightOperand: ['dpv:Marketing', 'dpv:ResearchAndDevelopment'] }], { purpose: `${DPV}AcademicResearch` }, 'permit'],
    ['dateTime lt at the instant', [dt('lt', nowIso)], {}, 'deny'],
    ['dateTime lteq at the instant', [dt('lteq', nowIso)], {}, 'permit'],
    ['dateTime gt at the instant', [dt('gt', nowIso)], {}, 'deny'],
    ['dateTime gteq at the instant', [dt('gteq', nowIso)], {}, 'permit'],
    ['dateTime eq at the instant', [dt('eq', nowIso)], {}, 'permit'],
    ['dateTime lt one ms later', [dt('lt', new Date(NOW + 1).toISOString())], {}, 'permit'],
    ['recipient declared', [{ leftOperand: 'recipient', operator: 'eq', rightOperand: 'did:web:lab' }], { recipient: { issuer: LOCAL_ISS, id: 'did:web:lab' } }, 'permit'],
    ['recipient other', [{ leftOperand: 'recipient', operator: 'eq', rightOperand: 'did:web:lab' }], { recipient: { issuer: LOCAL_ISS, id: 'did:web:ads' } }, 'deny'],
    ['recipient is the caller', [{ leftOperand: 'recipient', operator: 'eq', rightOperand: 'app-1' }], {}, 'permit'],
    ['role constraint', [{ leftOperand: 'role', operator: 'isAnyOf', rightOperand: ['staff'] }], { subject: { clientId: 'a', roles: ['staff'] } }, 'permit'],
    ['role constraint unmet', [{ leftOperand: 'role', operator: 'eq', rightOperand: 'staff' }], {}, 'deny'],
    ['and', [{ and: [purpose('dpv:Purpose'), dt('gt', '2020-01-01T00:00:00Z')] }], { purpose: `${DPV}Marketing` }, 'permit'],
    ['and, one fails', [{ and: [purpose('dpv:Purpose'), dt('lt', '2020-01-01T00:00:00Z')] }], { purpose: `${DPV}Marketing` }, 'deny'],
    ['or, second holds', [{ or: [purpose('dpv:Marketing'), dt('gt', '2020-01-01T00:00:00Z')] }], {}, 'permit'],
    ['or, none holds', [{ or: [purpose('dpv:Marketing'), dt('lt', '2020-01-01T00:00:00Z')] }], {}, 'deny'],
    ['xone, exactly one', [{ xone: [purpose('dpv:Marketing'), dt('gt', '2020-01-01T00:00:00Z')] }], {}, 'permit'],
    ['xone, both hold', [{ xone: [purpose('dpv:Marketing'), dt('gt', '2020-01-01T00:00:00Z')] }], { purpose: `${DPV}Marketing` }, 'deny'],
    ['nested', [{ or: [{ and: [purpose('dpv:Marketing'), dt('gt', '2020-01-01T00:00:00Z')] }, { xone: [dt('lt', '2020-01-01T00:00:00Z'), { leftOperand: 'role', operator: 'eq', rightOperand: 'x' }] }] }], { subject: { clientId: 'a', roles: ['x'] } }, 'permit'],
  ];
  it.each(table)('%s', (_n, c, over, effect) => {
    const d = only(c, over);
    expect(d.effect).toBe(effect);
    if (effect === 'deny') expect(d.reason).toBe('constraint_not_satisfied');
  });

  it('count: permits below the limit and returns the counter key; denies at the limit', () => {
    const c = [{ leftOperand: 'count', operator: 'lteq', rightOperand: 3, 'ngsi:period': 'PT1H' }];
    const window = Math.floor(NOW / 3_600_000) * 3_600_000;
    const key = `urn:c:r|r|${LOCAL_ISS.length}:${LOCAL_ISS}|app-1|PT1H|${window}-${window + 3_600_000}`;
    const first = only(c, {});
    expect(first.effect).toBe('permit');
    expect(first.obligations.counters).toEqual([key]);
    expect(only(c, {}, { [key]: 2 }).effect).toBe('permit');
    expect(only(c, {}, { [key]: 3 }).reason).toBe('constraint_not_satisfied');
    // A new window starts a new count.
    expect(only(c, { now: window + 3_600_000 }, { [key]: 3 }).effect).toBe('permit');
    // Without an identity there is nothing to count against.
    expect(only(c, { subject: { roles: [] } }).effect).toBe('deny');
  });

  it('count scopes: a count shared per client, organisation, role or by everyone the rule reaches', () => {
    const window = Math.floor(NOW / 3_600_000) * 3_600_000;
    const at = `PT1H|${window}-${window + 3_600_000}`;
    const iss = `${LOCAL_ISS.length}:${LOCAL_ISS}`;
    const counted = (scope: string) => [{ leftOperand: 'count', operator: 'lteq', rightOperand: 5, 'ngsi:period': 'PT1H', 'ngsi:countScope': scope }];
    const alice = { sub: 'alice', clientId: 'dashboard', organisation: 'stats-office', roles: ['analyst', 'viewer'] };
    const bob = { sub: 'bob', clientId: 'notebook', organisation: 'stats-office', roles: ['analyst'] };
    const keysOf = (scope: string, who: typeof alice, extra: Record<string, unknown> = {}) =>
      only(counted(scope), { subject: who }, {}, extra).obligations.counters;
    expect(keysOf('client', alice)).toEqual([`urn:c:r|r|client:${iss}|dashboard|${at}`]);
    // Alice and Bob share their organisation's count, and everyone's.
    expect(keysOf('organisation', alice)).toEqual(keysOf('organisation', bob));
    expect(keysOf('organisation', alice)).toEqual([`urn:c:r|r|org:${iss}|stats-office|${at}`]);
    expect(keysOf('everyone', alice)).toEqual(keysOf('everyone', bob));
    // Per role: by the rule's own assignee roles the caller holds, not by its other roles.
    const byRole = { assignee: role('analyst') };
    expect(keysOf('role', alice, byRole)).toEqual([`urn:c:r|r|role:analyst|${at}`]);
    expect(keysOf('role', bob, byRole)).toEqual(keysOf('role', alice, byRole));
    // A caller holding two of the rule's roles is counted in both, and stopped by either:
    // one more role never opens a fresh pool.
    const both = { assignee: role('analyst', 'intern') };
    const carol = { ...bob, sub: 'carol', roles: ['analyst', 'intern'] };
    expect(keysOf('role', carol, both)).toEqual([`urn:c:r|r|role:analyst|${at}`, `urn:c:r|r|role:intern|${at}`]);
    expect(only(counted('role'), { subject: carol }, { [`urn:c:r|r|role:analyst|${at}`]: 5 }, both).reason).toBe('constraint_not_satisfied');
    // The department's count, once spent by Bob, stops Alice too.
    const spent = { [`urn:c:r|r|org:${iss}|stats-office|${at}`]: 5 };
    expect(only(counted('organisation'), { subject: alice }, spent).reason).toBe('constraint_not_satisfied');
    expect(only(counted('caller'), { subject: alice }, spent).effect).toBe('permit');
    // Nothing to share the count by: the constraint fails.
    expect(only(counted('organisation'), { subject: { clientId: 'x', roles: [] } }).effect).toBe('deny');
  });

  it('count scopes are checked at load', () => {
    const counted = (scope: unknown) => [{ leftOperand: 'count', operator: 'lteq', rightOperand: 5, 'ngsi:countScope': scope }];
    expect(() => snapshot(perm('r', counted('department')))).toThrow(expect.objectContaining({ code: 'ERR_CONTRACT_BAD_VALUE' }));
    expect(() => snapshot(perm('r', counted('role')))).toThrow(/assigned to roles/);
    expect(() => snapshot(perm('r', [{ leftOperand: 'dateTime', operator: 'gt', rightOperand: '2020-01-01T00:00:00Z', 'ngsi:countScope': 'client' }])))
      .toThrow(expect.objectContaining({ code: 'ERR_CONTRACT_UNKNOWN_TERM' }));
  });

  it('elapsedTime counts from the rule or contract validFrom', () => {
    const c = [{ leftOperand: 'elapsedTime', operator: 'lteq', rightOperand: 'P30D' }];
    const from = NOW - 10 * 86_400_000;
    expect(only(c, {}, {}, { 'ngsi:validFrom': new Date(from).toISOString() }).effect).toBe('permit');
    expect(only(c, { now: from + 30 * 86_400_000 }, {}, { 'ngsi:validFrom': new Date(from).toISOString() }).effect).toBe('permit');
    expect(only(c, { now: from + 30 * 86_400_000 + 1 }, {}, { 'ngsi:validFrom': new Date(from).toISOString() }).effect).toBe('deny');
    expect(only(c, { now: from - 1 }, {}, { 'ngsi:validFrom': new Date(from).toISOString() }).effect).toBe('deny');
    const contractLevel = snapshot({ ...doc('urn:c:e', { permission: [{ uid: 'e', target: target('ParkingSpot'), action: 'read', constraint: c }] }), 'ngsi:validFrom': '2026-03-01T00:00:00Z' });
    expect(run(contractLevel, { types: [PS] }).effect).toBe('permit');
    expect(run(contractLevel, { types: [PS], now: Date.parse('2026-04-01T00:00:00Z') }).effect).toBe('deny');
  });

  it('spatial: permits with a within obligation', () => {
    const d = only([{ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: area }], {});
    expect(d.effect).toBe('permit');
    expect([...d.obligations.within ?? []].map(([t, areas]) => [t, areas.map((a) => a.geometry)])).toEqual([[PS, [area]]]);
  });

  it('spatial: an unbounded permission makes the area irrelevant', () => {
    const s = snapshot(
      perm('sp', [{ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: area }]),
      doc('urn:c:free', { permission: [{ uid: 'free', target: target('ParkingSpot'), action: 'read' }] }),
    );
    const d = run(s, { types: [PS] });
    expect(d.obligations.within).toBeUndefined();
    expect(d.rules).toEqual([{ contract: 'urn:c:free', rule: 'free' }]);
  });

  it('log duty asks for detailed audit; obtainConsent never permits', () => {
    expect(only([], {}, {}, { duty: [{ action: 'ngsi:log' }] }).obligations.auditLevel).toBe('detailed');
    expect(only([], {}).obligations.auditLevel).toBe('normal');
    const d = only([], {}, {}, { duty: [{ action: 'ngsi:obtainConsent' }] });
    expect([d.effect, d.reason]).toEqual(['deny', 'consent_required']);
  });

  it('tenant and entity id refinements', () => {
    const s = snapshot(doc('urn:c:t', { permission: [
      { uid: 't', target: target('ParkingSpot', { leftOperand: 'ngsi:tenant', operator: 'isAnyOf', rightOperand: ['city', '@default'] }), action: 'read' },
      { uid: 'i', target: target('AirQualityObserved', { leftOperand: 'ngsi:entityId', operator: 'ngsi:matches', rightOperand: 'urn:ngsi-ld:AirQualityObserved:public-[0-9]+' }), action: 'read' },
    ] }));
    expect(run(s, { types: [PS], tenant: 'city' }).effect).toBe('permit');
    expect(run(s, { types: [PS] }).effect).toBe('permit');
    const upper = snapshot(doc('urn:c:u', { permission: [
      { uid: 'u', target: target('ParkingSpot', { leftOperand: 'ngsi:tenant', operator: 'eq', rightOperand: 'City' }), action: 'read' },
    ] }));
    expect(run(upper, { types: [PS], tenant: 'city' }).effect).toBe('permit'); // tenants compare in lower case
    expect(run(s, { types: [PS], tenant: 'other' }).effect).toBe('deny');
    expect(run(s, { types: [AQ], entityIds: ['urn:ngsi-ld:AirQualityObserved:public-1'] }).effect).toBe('permit');
    expect(run(s, { types: [AQ], entityIds: ['urn:ngsi-ld:AirQualityObserved:public-1', 'urn:ngsi-ld:AirQualityObserved:private-1'] }).effect).toBe('deny');
    // A query by type or pattern could return entities outside the id restriction.
    expect(run(s, { types: [AQ] }).effect).toBe('deny');
    expect(run(s, { types: [AQ], idPatterns: ['.*'] }).effect).toBe('deny');
  });
});

describe('decide: robustness and indexing', () => {
  it('an internal failure denies with decision_error', () => {
    const snap = snapshot(doc('urn:c:p', { permission: [{ uid: 'p', target: target('ParkingSpot'), action: 'read' }] }));
    const broken = { ...request({ types: [PS] }), subject: null } as unknown as PolicyRequest;
    const d = decide(broken, snap, state());
    expect([d.effect, d.reason]).toEqual(['deny', 'decision_error']);
  });

  it('gives the same answers with 10 or 10,000 unrelated contracts', () => {
    const mine = doc('urn:c:mine', { permission: [
      { uid: 'read', target: target('ParkingSpot', attrsAnyOf('status')), assignee: 'app-1', action: 'read', constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'dpv:ServiceProvision' }] },
    ], prohibition: [{ uid: 'no', target: target('ParkingSpot', attrsAnyOf('owner')), action: 'read' }] });
    const unrelated = (n: number) => Array.from({ length: n }, (_, i) => doc(`urn:c:u${i}`, { permission: [
      { uid: 'r', target: target(`Type${i % 500}`, attrsAnyOf('a', 'b')), assignee: [`client-${i}`, role(`role-${i}`)], action: ['read', 'modify'] },
    ], prohibition: i % 10 === 0 ? [{ uid: 'x', target: target(`Type${i % 500}`), assignee: `client-${i}`, action: 'read' }] : [] }));
    const small = snapshot(mine, ...unrelated(10));
    const large = snapshot(mine, ...unrelated(10_000));
    const requests: Array<RequestOver> = [
      { types: [PS], purpose: `${DPV}ServiceOptimisation` },
      { types: [PS], purpose: `${DPV}Marketing` },
      { types: [PS], attrs: [`${V}owner`], purpose: `${DPV}ServiceProvision` },
      { typeUnknown: true, purpose: `${DPV}ServiceProvision` },
      { types: [`${V}Type3`] },
      { action: 'modify', operation: 'attrs.update', types: [PS], attrs: [`${V}status`] },
    ];
    for (const r of requests) expect(run(large, r)).toEqual(run(small, r));
    expect(run(small, requests[0]!).effect).toBe('permit');
  });
});

describe('decide: roles named by contracts include inherited roles', () => {
  it('a role that inherits viewer meets a viewer permission and a viewer prohibition', async () => {
    const model = readFileSync(new URL('../../policies/model.conf', import.meta.url), 'utf8');
    const roles = await RoleChecker.fromText(model, 'p, viewer, *, read\ng, inspector, viewer, *\np, outsider, *, read\n');
    const contracts = snapshot(
      doc('urn:c:view', { permission: [{ uid: 'p', target: target('ParkingSpot'), assignee: role('viewer'), action: 'read' }] }),
      doc('urn:c:no', { prohibition: [{ uid: 'x', target: target('ParkingSpot', attrsAnyOf('owner')), assignee: role('viewer'), action: 'read' }] }),
    );
    const ask = (r: string[]) => decideAll({ request: request({ types: [PS], subject: { issuer: 'urn:test', clientId: 'c', roles: r } }), decisionId: 'd' }, { roles, contracts, counters: new Map() });
    const inspector = ask(['inspector']);
    expect(inspector.effect).toBe('permit');
    expect(inspector.obligations.view?.get(PS)).toEqual({ kind: 'all', except: new Set([`${V}owner`]) });
    expect(ask(['outsider'])).toMatchObject({ effect: 'deny', reason: 'no_matching_permission' });
  });
});
