import { describe, expect, it } from 'vitest';
import { planOnStoredTypes } from '../../src/gateway/stored-type-plan.js';
import type { StoredEntity } from '../../src/gateway/stored-types.js';
import type { WriteTargets } from '../../src/gateway/write-targets.js';
import { request, V, type RequestOver } from './contracts-fixtures.js';

const expand = (t: string): string => (t.includes(':') ? t : V + t);
const stored = (entries: Record<string, StoredEntity | undefined>) => new Map(Object.entries(entries));

function plan(policy: RequestOver, targets: WriteTargets, found: Record<string, StoredEntity | undefined>) {
  return planOnStoredTypes({ policy: request(policy), targets, stored: stored(found), expandClaimed: expand, expandStored: expand });
}

describe('planOnStoredTypes', () => {
  const update: RequestOver = { action: 'modify', operation: 'attrs.update', types: [`${V}ParkingSpot`], attrs: [`${V}status`], entityIds: ['urn:m'] };
  const one = (claimed: string[] = []): WriteTargets => ({ temporal: false, creates: false, targets: [{ id: 'urn:m', claimed }] });

  it('decides the write on every stored type, whatever the body claims', () => {
    const p = plan(update, one(['ParkingSpot']), { 'urn:m': { types: ['EnergyMeter', 'ParkingSpot'], attrs: ['consumption'] } });
    expect(p.missing).toEqual([]);
    expect(p.primary).toMatchObject({ action: 'modify', types: [`${V}EnergyMeter`, `${V}ParkingSpot`], typeUnknown: false, attrs: [`${V}status`] });
    expect(p.visibility).toMatchObject({ action: 'read', operation: 'entity.retrieve', types: [`${V}EnergyMeter`, `${V}ParkingSpot`], attrs: [], filterReads: [] });
    expect(p.also).toEqual([]);
  });

  it('names the targets the broker does not hold, unless the write creates them', () => {
    expect(plan(update, one(), { 'urn:m': undefined }).missing).toEqual(['urn:m']);
    const upsert: WriteTargets = { temporal: false, creates: true, targets: [{ id: 'urn:new', claimed: ['ParkingSpot'] }, { id: 'urn:old', claimed: ['ParkingSpot'] }] };
    const p = plan({ action: 'create', operation: 'batch.upsert', attrs: [`${V}status`] }, upsert, {
      'urn:new': undefined, 'urn:old': { types: ['ParkingSpot'], attrs: ['status'] },
    });
    expect(p.missing).toEqual([]);
    // An existing entity is modified; a new one is created with the types claimed for it.
    expect(p.primary).toMatchObject({ action: 'modify', entityIds: ['urn:old'], types: [`${V}ParkingSpot`] });
    expect(p.also).toHaveLength(1);
    expect(p.also[0]!.request).toMatchObject({ action: 'create', entityIds: ['urn:new'], types: [`${V}ParkingSpot`], typeUnknown: false });
  });

  it('decides an upsert of new entities only as their create', () => {
    const upsert: WriteTargets = { temporal: false, creates: true, targets: [{ id: 'urn:new', claimed: [] }] };
    const p = plan({ action: 'create', operation: 'batch.upsert' }, upsert, { 'urn:new': undefined });
    expect(p.primary).toMatchObject({ action: 'create', entityIds: ['urn:new'], types: [], typeUnknown: true });
    expect(p.visibility).toBeUndefined();
    expect(p.also).toEqual([]);
  });

  it('asks for the right to create each added type with every attribute the entity keeps', () => {
    const p = plan(update, one(['ParkingSpot', 'StreetLight']), { 'urn:m': { types: ['StreetLight'], attrs: ['power', 'status'] } });
    expect(p.primary.types).toEqual([`${V}StreetLight`]);
    expect(p.also).toHaveLength(1);
    expect(p.also[0]!.refusal?.reason).toBe('type_add_not_permitted');
    expect(p.also[0]!.request).toMatchObject({ action: 'create', operation: 'entity.create', entityIds: ['urn:m'], types: [`${V}ParkingSpot`] });
    expect([...p.also[0]!.request.attrs].sort()).toEqual([`${V}power`, `${V}status`]);
  });

  it('counts only the body attributes when the entity is replaced', () => {
    const p = plan({ ...update, operation: 'entity.replace' }, one(['ParkingSpot']), { 'urn:m': { types: ['StreetLight'], attrs: ['power'] } });
    expect(p.also[0]!.request.attrs).toEqual([`${V}status`]);
  });

  it('asks temporal writes as temporal reads and creates', () => {
    const p = plan({ ...update, operation: 'temporal.attrs.append' }, { temporal: true, creates: false, targets: [{ id: 'urn:m', claimed: ['X'] }] }, {
      'urn:m': { types: ['EnergyMeter'], attrs: [] },
    });
    expect(p.visibility).toMatchObject({ action: 'readTemporal', operation: 'temporal.retrieve' });
    expect(p.also[0]!.request).toMatchObject({ operation: 'temporal.create', types: [`${V}X`] });
  });
});
