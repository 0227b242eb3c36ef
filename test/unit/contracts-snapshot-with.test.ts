/**
 * snapshotWith, one contract's change applied to a snapshot, against snapshotOf building
 * the same contracts in the same order from nothing: after every step of a long seeded
 * sequence of replacements, removals and additions (roles, parties, anybody, purposes,
 * several actions and types, prohibitions), the two indexes file the same rules in the
 * same buckets in the same order, and the untouched buckets are shared, not copied.
 */
import { describe, it, expect } from 'vitest';
import { snapshotOf, snapshotWith, type CompiledContract, type PolicySnapshot, type Rule, type TypeBucket, type AssigneeBucket, type RuleIndex } from '../../src/contracts/index.js';
import { doc, role, snapshot, target } from './contracts-fixtures.js';

const TYPES = ['ParkingSpot', 'Streetlight', 'EnergyMeter', 'Vehicle'];
const ROLES = ['viewer', 'planner', 'auditor'];
const PURPOSES = ['dpv:ServiceProvision', 'dpv:ResearchAndDevelopment', 'dpv:Marketing'];
const ACTIONS = [['ngsi:read'], ['ngsi:read', 'ngsi:subscribe'], ['ngsi:readTemporal'], ['ngsi:modify']];

/** A seeded generator: the sequence is the same on every run. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

function contractDoc(uid: string, r: () => number): Record<string, unknown> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
  const assignee = (): unknown => {
    const n = r();
    if (n < 0.2) return undefined;
    if (n < 0.5) return `app-${Math.floor(r() * 4)}`;
    if (n < 0.6) return [`app-${Math.floor(r() * 4)}`, role(pick(ROLES))];
    return role(pick(ROLES), ...(r() < 0.3 ? [pick(ROLES)] : []));
  };
  const rule = (k: number): Record<string, unknown> => {
    const who = assignee();
    const types = r() < 0.2 ? null : r() < 0.5 ? [pick(TYPES), pick(TYPES)] : pick(TYPES);
    return {
      uid: `${uid}:r${k}`,
      target: target(types),
      ...(who === undefined ? {} : { assignee: who }),
      action: pick(ACTIONS),
      ...(r() < 0.5 ? { constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: pick(PURPOSES) }] } : {}),
    };
  };
  const permissions = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, k) => rule(k));
  const prohibitions = r() < 0.3 ? [rule(9)] : [];
  return doc(uid, { permission: permissions, ...(prohibitions.length ? { prohibition: prohibitions } : {}) });
}

const compiled = (d: Record<string, unknown>): CompiledContract => [...snapshot(d).contracts.values()][0] as CompiledContract;

/** The index as plain data: rule labels (contract, kind, position) per bucket, keys sorted. */
function shape(s: PolicySnapshot): unknown {
  const label = (r: Rule): string => {
    const c = s.contracts.get(r.contract) as CompiledContract;
    return `${r.contract}/${r.kind}/${(r.kind === 'permission' ? c.permissions : c.prohibitions).indexOf(r)}`;
  };
  const sorted = <V>(m: ReadonlyMap<string, V>): Array<[string, V]> => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const typeBucket = (b: TypeBucket): unknown => ({ all: b.all.map(label), anyType: b.anyType.map(label), byType: sorted(b.byType).map(([t, rs]) => [t, rs.map(label)]) });
  const bucket = (b: AssigneeBucket | undefined): unknown => b && ({
    ...(typeBucket(b) as object), open: typeBucket(b.open), byPurpose: sorted(b.byPurpose).map(([p, part]) => [p, typeBucket(part)]),
    rank: b.all.map((r) => b.rank.get(r)), rankSize: b.rank.size,
  });
  const index = (i: RuleIndex): unknown => [...i].sort(([a], [b]) => (a < b ? -1 : 1)).map(([action, a]) => [action, {
    anybody: bucket(a.anybody),
    parties: sorted(a.parties).map(([iss, byId]) => [iss, sorted(byId).map(([id, b]) => [id, bucket(b)])]),
    roles: sorted(a.roles).map(([r, b]) => [r, bucket(b)]),
  }]);
  return { contracts: [...s.contracts.keys()], permissions: index(s.permissions), prohibitions: index(s.prohibitions) };
}

describe('snapshotWith', () => {
  it('gives the snapshot snapshotOf builds, after every replacement, removal and addition', () => {
    const r = random(7);
    const inForce = new Map<string, CompiledContract>();
    for (let i = 0; i < 30; i++) {
      const c = compiled(contractDoc(`urn:test:c${i}`, r));
      inForce.set(c.key, c);
    }
    let current = snapshotOf([...inForce.values()]);
    let next = 30;
    for (let step = 0; step < 150; step++) {
      const keys = [...inForce.keys()];
      const n = r();
      let key: string;
      let change: CompiledContract | undefined;
      if (n < 0.5 && keys.length > 0) {
        key = keys[Math.floor(r() * keys.length)] as string;
        change = compiled(contractDoc(key, r));
      } else if (n < 0.75 && keys.length > 0) {
        key = keys[Math.floor(r() * keys.length)] as string;
        change = undefined;
      } else {
        key = `urn:test:c${next++}`;
        change = compiled(contractDoc(key, r));
      }
      if (change) inForce.set(key, change);
      else inForce.delete(key);
      current = snapshotWith(current, key, change);
      expect(shape(current), `step ${step}`).toEqual(shape(snapshotOf([...inForce.values()])));
    }
  });

  it('shares the buckets a change does not touch', () => {
    const a = compiled(doc('urn:test:a', { permission: [{ target: target('ParkingSpot'), assignee: role('viewer'), action: 'ngsi:read' }] }));
    const b = compiled(doc('urn:test:b', { permission: [{ target: target('Streetlight'), assignee: role('planner'), action: 'ngsi:read' }] }));
    const before = snapshotOf([a, b]);
    const b2 = compiled(doc('urn:test:b', { permission: [{ target: target('Vehicle'), assignee: role('planner'), action: 'ngsi:read' }] }));
    const after = snapshotWith(before, 'urn:test:b', b2);
    const read = (s: PolicySnapshot) => s.permissions.get('read');
    expect(read(after)?.roles.get('viewer')).toBe(read(before)?.roles.get('viewer'));
    expect(read(after)?.roles.get('planner')?.all).toEqual(b2.permissions);
    // The snapshot it was made from is unchanged.
    expect(read(before)?.roles.get('planner')?.all).toEqual(b.permissions);
  });

  it('removing the last rule of a bucket removes the bucket, and of an action the action', () => {
    const a = compiled(doc('urn:test:a', { permission: [{ target: target('ParkingSpot'), assignee: 'app-1', action: 'ngsi:modify' }] }));
    const after = snapshotWith(snapshotOf([a]), 'urn:test:a', undefined);
    expect(shape(after)).toEqual(shape(snapshotOf([])));
    expect(after.permissions.has('modify')).toBe(false);
  });

  it('refuses a contract put under another key than its own', () => {
    const a = compiled(doc('urn:test:a', { permission: [{ target: target('ParkingSpot'), action: 'ngsi:read' }] }));
    expect(() => snapshotWith(snapshotOf([]), 'urn:test:b', a)).toThrow(/key/);
  });
});
