import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileContracts, defaultExpander } from '../../src/contracts/index.js';
import { decideContracts as decide } from '../../src/policy/decide.js';
import { DPV, PARTIES, request, V, type RequestOver } from './contracts-fixtures.js';

const dir = join(import.meta.dirname, '../../contracts');
const snap = compileContracts(readdirSync(dir).filter((f) => f.endsWith('.jsonld'))
  .map((f) => ({ source: f, doc: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown, expand: defaultExpander })), PARTIES);
const run = (over: RequestOver, counters: Record<string, number> = {}) =>
  decide(request(over), snap, { counters: new Map(Object.entries(counters)), decisionId: 'd' });

describe('the example contracts behave as docs/contracts.md says', () => {
  it('public parking: readable but refDevice, which filters may not read', () => {
    const d = run({ types: [`${V}ParkingSpot`] });
    expect(d.effect).toBe('permit');
    expect(d.obligations.view?.get(`${V}ParkingSpot`)).toEqual({ kind: 'all', except: new Set([`${V}refDevice`, `${V}ownerReference`]) });
    expect(run({ types: [`${V}ParkingSpot`], filterReads: [{ attr: `${V}refDevice`, via: 'q' }] }).reason).toBe('filter_reads_forbidden_attribute');
  });

  it('air quality: researchers with a research purpose, logged and counted', () => {
    const researcher = { subject: { clientId: 'lab', roles: ['researcher'] }, types: [`${V}AirQualityObserved`], action: 'readTemporal' as const, operation: 'temporal.query' as const };
    const ok = run({ ...researcher, purpose: `${DPV}AcademicResearch` });
    expect(ok.effect).toBe('permit');
    expect(ok.obligations.auditLevel).toBe('detailed');
    expect(ok.obligations.counters).toHaveLength(1);
    // The limit travels with the key, for counts kept apart from the decision (several workers).
    expect(ok.obligations.limits).toEqual([1000]);
    expect(run({ ...researcher, purpose: `${DPV}Marketing` }).reason).toBe('constraint_not_satisfied');
    expect(run({ ...researcher, purpose: `${DPV}AcademicResearch` }, { [ok.obligations.counters[0]!]: 1000 }).reason).toBe('constraint_not_satisfied');
  });

  it('energy meter: consent needed for the supplier, area for the grid operator, no marketing', () => {
    const meter = { types: [`${V}EnergyMeter`], entityIds: ['urn:ngsi-ld:EnergyMeter:home-42'], operation: 'entity.retrieve' as const };
    expect(run({ ...meter, subject: { organisation: 'did:web:energy-supplier.example', roles: [] }, purpose: `${DPV}ServiceProvision` }).reason).toBe('consent_required');
    const grid = run({ ...meter, subject: { clientId: 'grid', roles: ['grid-operator'] }, purpose: `${DPV}ServiceOptimisation` });
    expect(grid.effect).toBe('permit');
    expect(grid.obligations.within).toHaveLength(1);
    expect(run({ ...meter, subject: { clientId: 'grid', roles: ['grid-operator'] }, purpose: `${DPV}DirectMarketing` }).reason).toBe('prohibited');
  });

  it('parking operator: status updates in its tenant only, never refDevice', () => {
    const op = { subject: { clientId: 'parking-operator-client', roles: [] }, action: 'modify' as const, operation: 'attrs.update' as const, types: [`${V}ParkingSpot`] };
    expect(run({ ...op, tenant: 'parking', attrs: [`${V}status`] }).effect).toBe('permit');
    expect(run({ ...op, tenant: 'other', attrs: [`${V}status`] }).effect).toBe('deny');
    expect(run({ ...op, tenant: 'parking', attrs: [`${V}name`] }).reason).toBe('attribute_not_permitted');
    expect(run({ ...op, tenant: 'parking', operation: 'entity.replace', attrs: [`${V}status`] }).reason).toBe('attribute_not_permitted');
    expect(run({ types: [`${V}ParkingSpot`], attrs: [`${V}refDevice`] }).reason).toBe('attribute_not_permitted');
  });
});
