/**
 * Names that reach the broker: a named geometry property and the attributes an
 * aggregation reads count as probes, like a q filter; omit stays a projection.
 */
import { describe, expect, it } from 'vitest';
import { decideContracts as decide } from '../../src/policy/decide.js';
import { attrsAnyOf, attrsNoneOf, doc, request, snapshot, target, V, type RequestOver } from './contracts-fixtures.js';

const PS = `${V}ParkingSpot`;
const AQ = `${V}AirQualityObserved`;

const snap = snapshot(
  doc('urn:c:parking', { permission: [{ uid: 'r', target: target('ParkingSpot', attrsNoneOf('owner')), action: ['read', 'readTemporal'] }] }),
  doc('urn:c:air', { permission: [{ uid: 'r', target: target('AirQualityObserved'), action: ['read', 'readTemporal'] }] }),
  doc('urn:c:bench', { permission: [{ uid: 'r', target: target('StreetBench', attrsAnyOf('name')), action: 'read' }] }),
);

function run(over: RequestOver) {
  return decide(request(over), snap, { counters: new Map(), decisionId: 'd-1' });
}

describe('decide: names the broker reads', () => {
  it('refuses a named geometryProperty the caller may not read, on every returned type', () => {
    expect(run({ types: [PS], filterReads: [{ attr: `${V}owner`, via: 'geometryProperty' }] }).reason).toBe('filter_reads_forbidden_attribute');
    expect(run({ types: [`${V}StreetBench`], filterReads: [{ attr: `${V}location`, via: 'geometryProperty' }] }).reason).toBe('filter_reads_forbidden_attribute');
    expect(run({ types: [PS], filterReads: [{ attr: `${V}location`, via: 'geometryProperty' }] }).effect).toBe('permit');
    expect(run({ typeUnknown: true, filterReads: [{ attr: `${V}location`, via: 'geometryProperty' }] }).reason).toBe('filter_reads_forbidden_attribute');
  });

  it('refuses an aggregation of a forbidden attribute, named or by default', () => {
    const temporal = { action: 'readTemporal', operation: 'temporal.query' } as const;
    expect(run({ ...temporal, types: [PS], filterReads: [{ attr: `${V}owner`, via: 'aggr' }] }).reason).toBe('filter_reads_forbidden_attribute');
    expect(run({ ...temporal, types: [PS], filterReads: [{ attr: '*', via: 'aggr' }] }).reason).toBe('filter_reads_forbidden_attribute');
    expect(run({ ...temporal, types: [PS], filterReads: [{ attr: `${V}status`, via: 'aggr' }] }).effect).toBe('permit');
    // every attribute of a type read in full may be aggregated
    expect(run({ ...temporal, types: [AQ], filterReads: [{ attr: '*', via: 'aggr' }] }).effect).toBe('permit');
    expect(run({ ...temporal, types: [PS, AQ], filterReads: [{ attr: '*', via: 'aggr' }] }).reason).toBe('filter_reads_forbidden_attribute');
  });

  it('keeps omit a projection', () => {
    expect(run({ types: [PS], filterReads: [{ attr: `${V}owner`, via: 'omit' }] }).effect).toBe('permit');
  });
});
