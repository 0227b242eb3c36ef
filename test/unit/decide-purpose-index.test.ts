import { describe, expect, it } from 'vitest';
import { decideContracts as decide } from '../../src/policy/decide.js';
import { purposeGate } from '../../src/contracts/snapshot.js';
import type { Considered } from '../../src/policy/types.js';
import type { PolicySnapshot } from '../../src/contracts/index.js';
import { doc, DPV, request, role, snapshot, target, V, type RequestOver } from './contracts-fixtures.js';

const PS = `${V}ParkingSpot`;
const purpose = (p: string, operator = 'isA') => ({ leftOperand: 'purpose', operator, rightOperand: p });
const state = (considered?: Considered[]) => ({ counters: new Map<string, number>(), decisionId: 'd-1', ...(considered ? { considered } : {}) });
const run = (snap: PolicySnapshot, over: RequestOver, considered?: Considered[]) => decide(request(over), snap, state(considered));
const viewer = { sub: 'v-1', roles: ['viewer'] };

/**
 * Many permissions for one role, each for another purpose, and a few the caller meets:
 * the snapshot files them by purpose, and decisions must come out as when every rule
 * addressed to the caller is read.
 */
function crowd(): PolicySnapshot {
  const others = ['dpv:ResearchAndDevelopment', 'dpv:PublicBenefit', 'dpv:CommercialResearch', 'dpv:Personalisation'];
  return snapshot(
    doc('urn:c:first', { permission: [{ uid: 'open', target: target(null, { leftOperand: 'ngsi:entityId', operator: 'ngsi:matches', rightOperand: 'urn:ngsi-ld:ParkingSpot:[^ ]+' }), assignee: role('viewer'), action: 'ngsi:read' }] }),
    ...Array.from({ length: 40 }, (_, i) => doc(`urn:c:other-${i}`, { permission: [{ uid: 'r', target: target('ParkingSpot'), assignee: role('viewer'), action: 'ngsi:read', constraint: [purpose(others[i % others.length] as string)] }] })),
    doc('urn:c:service', { permission: [{ uid: 'r', target: target('ParkingSpot'), assignee: role('viewer'), action: 'ngsi:read', constraint: [purpose('dpv:ServiceProvision')] }] }),
    doc('urn:c:exact', { permission: [{ uid: 'r', target: target('ParkingSpot'), assignee: role('viewer'), action: 'ngsi:read', constraint: [purpose('dpv:ServiceOptimisation', 'eq')] }] }),
    doc('urn:c:last', { permission: [{ uid: 'r', target: target('ParkingSpot'), assignee: role('viewer'), action: 'ngsi:read' }] }),
  );
}

describe('purposeGate: the purposes under which a permission can apply', () => {
  const snap = snapshot(
    doc('urn:c:a', { permission: [{ uid: 'p', target: target('ParkingSpot'), action: 'ngsi:read', constraint: [purpose('dpv:ServiceProvision')] }] }),
    doc('urn:c:b', { permission: [{ uid: 'p', target: target('ParkingSpot'), action: 'ngsi:read' }] }),
    doc('urn:c:c', { prohibition: [{ uid: 'x', target: target('ParkingSpot'), action: 'ngsi:read', constraint: [purpose('dpv:Marketing')] }] }),
    doc('urn:c:d', { permission: [{ uid: 'p', target: target('ParkingSpot'), action: 'ngsi:read', constraint: [{ or: [purpose('dpv:ServiceProvision'), purpose('dpv:PublicBenefit')] }] }] }),
  );
  const rule = (key: string) => {
    const c = snap.contracts.get(key);
    return (c?.permissions[0] ?? c?.prohibitions[0])!;
  };

  it('is the purposes a permission asks for itself', () => {
    expect([...purposeGate(rule('urn:c:a'))!]).toEqual([`${DPV}ServiceProvision`]);
  });

  it('is none for a permission without a purpose, one with purposes only inside or/and/xone, and any prohibition', () => {
    expect(purposeGate(rule('urn:c:b'))).toBeUndefined();
    expect(purposeGate(rule('urn:c:d'))).toBeUndefined();
    expect(purposeGate(rule('urn:c:c'))).toBeUndefined();
  });
});

describe('decide: permissions filed by purpose decide as every rule read', () => {
  const snap = crowd();

  it('permits with every applying rule, in the order of the contracts, whatever part of the index each came from', () => {
    const d = run(snap, { operation: 'entity.retrieve', entityIds: ['urn:ngsi-ld:ParkingSpot:1'], typeUnknown: true, purpose: `${DPV}ServiceOptimisation`, subject: viewer });
    expect(d.effect).toBe('permit');
    expect(d.rules.map((r) => r.contract)).toEqual(['urn:c:first', 'urn:c:service', 'urn:c:exact', 'urn:c:last']);
  });

  it('meets a permission for a broader purpose from a narrower one, never the other way', () => {
    const narrower = run(snap, { types: [PS], purpose: `${DPV}OptimiseUserInterface`, subject: viewer });
    expect(narrower.rules.map((r) => r.contract)).toEqual(['urn:c:service', 'urn:c:exact', 'urn:c:last']);
    const broader = run(snap, { types: [PS], purpose: `${DPV}Purpose`, subject: viewer });
    expect(broader.rules.map((r) => r.contract)).toEqual(['urn:c:last']);
  });

  it('without a declared purpose permits only on the rules that ask for none', () => {
    const d = run(snap, { operation: 'entity.retrieve', entityIds: ['urn:ngsi-ld:ParkingSpot:1'], typeUnknown: true, subject: viewer });
    expect(d.rules.map((r) => r.contract)).toEqual(['urn:c:first', 'urn:c:last']);
  });

  it('a purpose outside the DPV table meets no purpose constraint', () => {
    const d = run(snap, { types: [PS], purpose: 'https://example.org/MyPurpose', subject: viewer });
    expect(d.rules.map((r) => r.contract)).toEqual(['urn:c:last']);
  });

  it('denies with the reason every rule gives: a purpose not met is named, as before the index', () => {
    const only = snapshot(
      doc('urn:c:r', { permission: [{ uid: 'r', target: target('ParkingSpot'), assignee: role('viewer'), action: 'ngsi:read', constraint: [purpose('dpv:ResearchAndDevelopment')] }] }),
    );
    const d = run(only, { types: [PS], purpose: `${DPV}ServiceProvision`, subject: viewer });
    expect(d.effect).toBe('deny');
    expect(d.reason).toBe('constraint_not_satisfied');
    expect(d.culprit).toEqual({ unmet: [{ rule: { contract: 'urn:c:r', rule: 'r' }, constraint: 'purpose' }] });
  });

  it('gives, for each purpose, the decision the whole set of rules gives (a traced decision reads every rule)', () => {
    const purposes = [undefined, 'ServiceProvision', 'ServiceOptimisation', 'OptimiseUserInterface', 'ResearchAndDevelopment', 'AcademicResearch', 'Marketing', 'Purpose'];
    for (const p of purposes) {
      for (const over of [{ types: [PS] }, { operation: 'entity.retrieve' as const, entityIds: ['urn:ngsi-ld:ParkingSpot:1'], typeUnknown: true }]) {
        const req: RequestOver = { ...over, subject: viewer, ...(p ? { purpose: `${DPV}${p}` } : {}) };
        const { id: _a, ...indexed } = run(snap, req);
        const { id: _b, ...whole } = run(snap, req, []);
        expect(indexed, `purpose ${p ?? 'none'}`).toEqual(whole);
      }
    }
  });

  it('the trace of a permitted request still lists every rule addressed to the caller', () => {
    const considered: Considered[] = [];
    const d = run(snap, { types: [PS], purpose: `${DPV}ServiceProvision`, subject: viewer }, considered);
    expect(d.effect).toBe('permit');
    const permissions = considered.filter((c) => c.kind === 'permission');
    expect(permissions).toHaveLength(44);
    expect(permissions.filter((c) => c.outcome === 'constraint:purpose')).toHaveLength(41);
  });
});
