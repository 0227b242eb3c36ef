import { describe, expect, it } from 'vitest';
import { filterResponse, type FilterResponseInput } from '../../src/filter/index.js';
import { IRI, allExcept, makeExpander, only, snapshot, viewOf } from './filter-fixtures.js';

const expand = makeExpander();
const view = viewOf([[IRI.ParkingSpot, only(IRI.status, IRI.name)], [IRI.Sensor, allExcept(IRI.owner)]]);
const run = (operation: FilterResponseInput['operation'], body: unknown) => filterResponse({ operation, body, view, expand, options: [] });

describe('type discovery', () => {
  it('EntityTypeList shows only types in the view', () => {
    const body = { id: 'urn:ngsi-ld:EntityTypeList:1', type: 'EntityTypeList', typeList: ['ParkingSpot', 'Vehicle', IRI.Sensor, 'Person'] };
    const before = snapshot(body);
    const result = run('types.list', body);
    expect(result.body).toEqual({ ...body, typeList: ['ParkingSpot', IRI.Sensor] });
    expect(result.droppedEntities).toBe(2);
    expect(body).toEqual(before);
  });

  it('EntityType details show permitted attribute names of visible types', () => {
    const body = [
      { id: IRI.ParkingSpot, type: 'EntityType', typeName: 'ParkingSpot', attributeNames: ['status', 'location', 'nombre', 'owner'] },
      { id: IRI.Vehicle, type: 'EntityType', typeName: 'Vehicle', attributeNames: ['speed'] },
      { id: IRI.Sensor, type: 'EntityType', typeName: 'Sensor', attributeNames: ['temperature', 'owner'], internal: 1 },
    ];
    const result = run('types.list', body);
    expect(result.body).toEqual([
      { id: IRI.ParkingSpot, type: 'EntityType', typeName: 'ParkingSpot', attributeNames: ['status', 'nombre'] },
      { id: IRI.Sensor, type: 'EntityType', typeName: 'Sensor', attributeNames: ['temperature'] },
    ]);
    expect(result.droppedEntities).toBe(1);
    expect(result.removedAttributes).toBe(4);
  });

  it('EntityTypeInfo cuts attributeDetails, and a hidden type is not found', () => {
    const info = {
      id: IRI.ParkingSpot, type: 'EntityTypeInfo', typeName: 'ParkingSpot', entityCount: 3,
      attributeDetails: [
        { id: IRI.status, type: 'Attribute', attributeName: 'status', attributeTypes: ['Property'] },
        { id: IRI.owner, type: 'Attribute', attributeName: 'owner', attributeTypes: ['Relationship'] },
      ],
    };
    expect(run('types.retrieve', info).body).toEqual({ ...info, attributeDetails: [info.attributeDetails[0]] });
    expect(() => run('types.retrieve', { ...info, id: IRI.Vehicle, typeName: 'Vehicle' }))
      .toThrow(expect.objectContaining({ code: 'NOT_FOUND', reason: 'filtered_out' }));
  });
});

describe('attribute discovery', () => {
  it('AttributeList shows names permitted for at least one visible type', () => {
    const body = { id: 'urn:ngsi-ld:AttributeList:1', type: 'AttributeList', attributeList: ['status', 'owner', 'temperature', 'schema:name', 'location'] };
    const result = run('attributes.list', body);
    expect(result.body).toEqual({ ...body, attributeList: ['status', 'temperature', 'schema:name', 'location'] });
    expect(result.droppedEntities).toBe(1);
  });

  it('Attribute details list only visible types that permit the attribute and drop empty items', () => {
    const body = [
      { id: IRI.status, type: 'Attribute', attributeName: 'status', attributeCount: 4, attributeTypes: ['Property'], typeNames: ['ParkingSpot', 'Sensor', 'Vehicle'] },
      { id: IRI.location, type: 'Attribute', attributeName: 'location', attributeTypes: ['GeoProperty'], typeNames: ['ParkingSpot', 'Vehicle'] },
      { id: IRI.owner, type: 'Attribute', attributeName: 'owner', typeNames: ['ParkingSpot', 'Sensor'] },
    ];
    const result = run('attributes.list', body);
    // attributeCount also counted the hidden Vehicle's instances, so it goes too.
    const { attributeCount: _count, ...status } = body[0]!;
    expect(result.body).toEqual([{ ...status, typeNames: ['ParkingSpot', 'Sensor'] }]);
    expect(result.droppedEntities).toBe(2);
  });

  it('a single Attribute no visible type permits is not found', () => {
    expect(run('attributes.retrieve', { id: IRI.temperature, type: 'Attribute', attributeName: 'temperature', typeNames: ['Sensor'] }).body)
      .toEqual({ id: IRI.temperature, type: 'Attribute', attributeName: 'temperature', typeNames: ['Sensor'] });
    expect(() => run('attributes.retrieve', { id: IRI.owner, type: 'Attribute', attributeName: 'owner', typeNames: ['Sensor'] }))
      .toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('refuses discovery bodies of unknown shape', () => {
    for (const [operation, body] of [
      ['types.list', { types: [] }], ['types.list', { typeList: [1] }], ['attributes.list', 'status'],
      ['types.retrieve', []], ['attributes.list', [{ id: 5 }]],
    ] as const) {
      expect(() => run(operation, body)).toThrow(expect.objectContaining({ code: 'INTERNAL', reason: 'unfilterable_response' }));
    }
  });
});
