/**
 * A deny says what it turned on: the attribute, entity type or filter parameter the
 * request named, the prohibition that refused, or the conditions of the caller's own
 * rules that were not met. And, when asked (the dry run), every rule addressed to the
 * caller that was looked at, with what became of it.
 */
import { describe, expect, it } from 'vitest';
import { decideContracts as decide } from '../../src/policy/decide.js';
import type { Considered } from '../../src/policy/types.js';
import { attrsAnyOf, doc, DPV, request, role, snapshot, target, V } from './contracts-fixtures.js';

const PS = `${V}ParkingSpot`;
const AQ = `${V}AirQualityObserved`;
const state = (considered?: Considered[], counters: Record<string, number> = {}) => ({ counters: new Map(Object.entries(counters)), decisionId: 'd-1', ...(considered ? { considered } : {}) });

const snap = snapshot(
  doc('urn:c:parking', {
    permission: [{ uid: 'read', target: target('ParkingSpot', attrsAnyOf('status', 'location')), action: ['read', 'modify'] }],
    prohibition: [{ uid: 'no-owner', target: target('ParkingSpot', attrsAnyOf('owner')), action: 'use' }],
  }),
  doc('urn:c:research', {
    permission: [
      { uid: 'purpose', target: target('AirQualityObserved'), assignee: role('researcher'), action: 'read', constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'dpv:ResearchAndDevelopment' }] },
      { uid: 'quota', target: target('AirQualityObserved'), assignee: role('researcher'), action: 'read', constraint: [{ leftOperand: 'count', operator: 'lteq', rightOperand: 0 }] },
      { uid: 'other-tenant', target: target('AirQualityObserved', { leftOperand: 'ngsi:tenant', operator: 'eq', rightOperand: 'labs' }), assignee: role('researcher'), action: 'read' },
    ],
  }),
  doc('urn:c:people', { prohibition: [{ uid: 'no-people', target: target('Person'), action: 'use' }] }),
);

describe('a deny names what it turned on', () => {
  it('the attribute the request asked for', () => {
    const d = decide(request({ types: [PS], attrs: [`${V}name`] }), snap, state());
    expect(d.reason).toBe('attribute_not_permitted');
    expect(d.culprit).toEqual({ attribute: `${V}name` });
  });

  it('the attribute a prohibition takes away, with the prohibition', () => {
    const d = decide(request({ action: 'modify', operation: 'attrs.update', types: [PS], attrs: [`${V}status`, `${V}owner`] }), snap, state());
    expect(d.reason).toBe('attribute_not_permitted');
    expect(d.culprit).toEqual({ attribute: `${V}owner` });
  });

  it('the entity type no rule permits, among several named', () => {
    const d = decide(request({ types: [PS, AQ] }), snap, state());
    expect(d.reason).toBe('type_not_permitted');
    expect(d.culprit).toEqual({ type: AQ });
  });

  it('the filter parameter that reads a forbidden attribute', () => {
    const d = decide(request({ types: [PS], filterReads: [{ attr: `${V}owner`, via: 'q' }] }), snap, state());
    expect(d.reason).toBe('filter_reads_forbidden_attribute');
    expect(d.culprit).toEqual({ attribute: `${V}owner`, parameter: 'q' });
  });

  it('the whole-type prohibition and the type it names', () => {
    const d = decide(request({ types: [`${V}Person`] }), snap, state());
    expect(d.reason).toBe('prohibited');
    expect(d.rules).toEqual([{ contract: 'urn:c:people', rule: 'no-people' }]);
    expect(d.culprit).toEqual({ type: `${V}Person` });
  });

  it("the conditions of the caller's own rules that were not met, each rule once", () => {
    const researcher = { clientId: 'lab', roles: ['researcher'] };
    const d = decide(request({ types: [AQ], subject: researcher, purpose: `${DPV}Marketing` }), snap, state());
    expect(d.reason).toBe('constraint_not_satisfied');
    expect(d.culprit?.unmet).toEqual([
      { rule: { contract: 'urn:c:research', rule: 'purpose' }, constraint: 'purpose' },
      { rule: { contract: 'urn:c:research', rule: 'quota' }, constraint: 'count' },
    ]);
  });

  it('nothing more than the reason when nothing was addressed to the caller', () => {
    const d = decide(request({ types: [AQ] }), snap, state());
    expect(d.reason).toBe('no_matching_permission');
    expect(d.culprit).toBeUndefined();
  });
});

describe('the trace of rules looked at', () => {
  it('lists every rule addressed to the caller, permissions and prohibitions, with its outcome', () => {
    const considered: Considered[] = [];
    decide(request({ types: [AQ], subject: { clientId: 'lab', roles: ['researcher'] }, purpose: `${DPV}AcademicResearch` }), snap, state(considered));
    expect(considered).toEqual(expect.arrayContaining([
      { rule: { contract: 'urn:c:research', rule: 'purpose' }, kind: 'permission', outcome: 'applied' },
      { rule: { contract: 'urn:c:research', rule: 'quota' }, kind: 'permission', outcome: 'constraint:count' },
      { rule: { contract: 'urn:c:research', rule: 'other-tenant' }, kind: 'permission', outcome: 'tenant' },
    ]));
    const prohibitions: Considered[] = [];
    decide(request({ types: [PS], attrs: [`${V}status`] }), snap, state(prohibitions));
    expect(prohibitions).toEqual(expect.arrayContaining([{ rule: { contract: 'urn:c:parking', rule: 'no-owner' }, kind: 'prohibition', outcome: 'applied' }]));
  });

  it('is not kept on the request path', () => {
    const d = decide(request({ types: [AQ], subject: { clientId: 'lab', roles: ['researcher'] }, purpose: `${DPV}AcademicResearch` }), snap, state());
    expect(d.effect).toBe('permit');
    expect('considered' in d).toBe(false);
  });
});
