import { describe, expect, it } from 'vitest';
import { mayChangeTypes, writeTargets, writesStoredEntities } from '../../src/gateway/write-targets.js';
import type { Action, Operation } from '../../src/ngsi/index.js';

const byPath = (operation: Operation, pathEntityId = 'urn:a') => ({ operation, pathEntityId });

describe('writeTargets', () => {
  it('names the entity of the path and the types its body claims', () => {
    expect(writeTargets(byPath('attrs.update'), { type: ['ParkingSpot', 'X'], '@type': 'Y', status: {} })).toEqual({
      temporal: false, creates: false, targets: [{ id: 'urn:a', claimed: ['ParkingSpot', 'X', 'Y'] }],
    });
    expect(writeTargets(byPath('entity.delete'), undefined)?.targets).toEqual([{ id: 'urn:a', claimed: [] }]);
  });

  it('never reads an attribute body as an entity: its type is Property', () => {
    expect(writeTargets(byPath('attr.replace'), { type: 'Property', value: 1 })?.targets).toEqual([{ id: 'urn:a', claimed: [] }]);
    expect(writeTargets(byPath('temporal.instance.modify'), { type: 'Property', value: 1 })).toEqual({
      temporal: true, creates: false, targets: [{ id: 'urn:a', claimed: [] }],
    });
  });

  it('refuses a body naming another entity than the path, and accepts the same one', () => {
    expect(() => writeTargets(byPath('entity.replace'), { id: 'urn:b', type: 'T' })).toThrow(expect.objectContaining({ status: 400, reason: 'entity_id_mismatch' }));
    expect(() => writeTargets(byPath('entity.merge'), { '@id': 'urn:b' })).toThrow(expect.objectContaining({ reason: 'entity_id_mismatch' }));
    expect(writeTargets(byPath('entity.replace'), { id: 'urn:a', type: 'T' })?.targets).toEqual([{ id: 'urn:a', claimed: ['T'] }]);
  });

  it('reads batch bodies entity by entity, one target per id with every type claimed for it', () => {
    const t = writeTargets({ operation: 'batch.upsert' }, [
      { id: 'urn:a', type: 'A' }, { id: 'urn:b', type: 'B' }, { id: 'urn:a', type: 'C' },
    ]);
    expect(t).toEqual({ temporal: false, creates: true, targets: [{ id: 'urn:a', claimed: ['A', 'C'] }, { id: 'urn:b', claimed: ['B'] }] });
    expect(writeTargets({ operation: 'batch.delete' }, ['urn:a', 'urn:b', 'urn:a'])?.targets).toEqual([{ id: 'urn:a', claimed: [] }, { id: 'urn:b', claimed: [] }]);
    expect(writeTargets({ operation: 'temporal.create' }, { id: 'urn:t', type: 'T' })).toEqual({ temporal: true, creates: true, targets: [{ id: 'urn:t', claimed: ['T'] }] });
  });

  it('refuses an entity without an id where the body names the entities', () => {
    expect(() => writeTargets({ operation: 'batch.update' }, [{ id: 'urn:a' }, { type: 'T' }])).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => writeTargets({ operation: 'temporal.create' }, { type: 'T' })).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('leaves reads and creates of new entities alone', () => {
    for (const op of ['entity.create', 'batch.create', 'entity.query', 'entity.retrieve', 'subscription.create'] as Operation[]) {
      expect(writesStoredEntities(op)).toBe(false);
      expect(writeTargets({ operation: op }, { id: 'urn:a', type: 'T' })).toBeUndefined();
    }
  });
});

describe('mayChangeTypes', () => {
  const req = (operation: Operation, action: Action) => ({ operation, action, pathEntityId: 'urn:a' });

  it('is false for writes of attribute values, true once the body names a type', () => {
    expect(mayChangeTypes(req('attrs.update', 'modify'), { status: {} })).toBe(false);
    expect(mayChangeTypes(req('attr.replace', 'modify'), { type: 'Property', value: 1 })).toBe(false);
    expect(mayChangeTypes(req('attrs.update', 'modify'), { type: 'T', status: {} })).toBe(true);
    expect(mayChangeTypes({ operation: 'batch.update', action: 'modify' }, [{ id: 'urn:a' }, { id: 'urn:b', type: 'T' }])).toBe(true);
  });

  it('is true for creates, deletes and replacements, false for reads', () => {
    expect(mayChangeTypes(req('entity.delete', 'delete'), undefined)).toBe(true);
    expect(mayChangeTypes(req('entity.replace', 'modify'), { status: {} })).toBe(true);
    expect(mayChangeTypes({ operation: 'entity.create', action: 'create' }, { id: 'urn:a', type: 'T' })).toBe(true);
    expect(mayChangeTypes({ operation: 'batch.delete', action: 'delete' }, ['urn:a'])).toBe(true);
    expect(mayChangeTypes(req('entity.retrieve', 'read'), undefined)).toBe(false);
  });
});
