import { describe, expect, it } from 'vitest';
import { BASE, expectRefused, req } from './ngsi-fixtures.js';

const post = (path: string, body: unknown) => req('POST', BASE + path, { body });

describe('entity bodies', () => {
  it('create: id, types and every attribute, scope included', () => {
    const r = post('/entities', {
      id: 'urn:ngsi-ld:Car:1', type: ['Car', 'Vehicle'], speed: { type: 'Property', value: 1 },
      scope: { type: 'Property', value: '/Madrid' }, createdAt: '2020-01-01T00:00:00Z',
      '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
    });
    expect(r.entityIds).toEqual(['urn:ngsi-ld:Car:1']);
    expect(r.types).toEqual(['Car', 'Vehicle']);
    expect(r.attrs).toEqual(['speed', 'scope']);
    expect(r.bodyHasContext).toBe(true);
  });

  it('JSON-LD @id and @type count as id and type', () => {
    const r = post('/entities', { '@id': 'urn:a', '@type': 'Car', id: 'urn:b', speed: 1 });
    expect(r.entityIds).toEqual(['urn:a', 'urn:b']);
    expect(r.types).toEqual(['Car']);
  });

  it.each([
    [{ id: 5, type: 'Car' }], [{ id: 'urn:a', type: 7 }], [{ id: 'urn:a', type: ['Car', 1] }],
    [{ id: 'urn:a', '@graph': [] }], [{ id: 'urn:a', '@nest': { secret: 1 } }], [{ id: 'urn:a', '': 1 }],
    [[{ id: 'urn:a' }]], ['text'], [null], [undefined],
  ])('refuses entity body %j', (body) => {
    expectRefused(() => post('/entities', body), 'BAD_REQUEST', 'invalid_body');
  });

  it('path entity and body attributes together on append', () => {
    const r = post('/entities/urn%3Aa/attrs', { speed: { value: 1 }, name: { value: 'x' } });
    expect(r.entityIds).toEqual(['urn:a']);
    expect(r.attrs).toEqual(['speed', 'name']);
  });

  it('a single-attribute body does not name attributes by its keys', () => {
    const r = req('PATCH', `${BASE}/entities/urn%3Aa/attrs/speed`, { body: { value: 2, observedAt: 'x' } });
    expect(r.attrs).toEqual(['speed']);
    expectRefused(() => req('PATCH', `${BASE}/entities/urn%3Aa/attrs/speed`, { body: [1] }), 'BAD_REQUEST', 'invalid_body');
  });

  it('temporal create and append: attribute keys holding arrays of instances', () => {
    const r = post('/temporal/entities', { id: 'urn:a', type: 'Car', speed: [{ value: 1 }, { value: 2 }] });
    expect(r.attrs).toEqual(['speed']);
    expect(r.action).toBe('create');
    const a = post('/temporal/entities/urn%3Aa/attrs', { rpm: [{ value: 1 }] });
    expect(a.attrs).toEqual(['rpm']);
  });

  it('refuses a body where none is expected', () => {
    expectRefused(() => req('GET', `${BASE}/entities`, { body: {} }), 'BAD_REQUEST', 'invalid_body');
    expectRefused(() => req('DELETE', `${BASE}/entities/urn%3Aa`, { body: ['x'] }), 'BAD_REQUEST', 'invalid_body');
  });
});

describe('batch bodies', () => {
  it('collects every element of a batch write', () => {
    const r = post('/entityOperations/upsert', [
      { id: 'urn:a', type: 'Car', speed: {} },
      { id: 'urn:b', type: 'Bus', seats: {}, '@context': 'x' },
    ]);
    expect(r.entityIds).toEqual(['urn:a', 'urn:b']);
    expect(r.types).toEqual(['Car', 'Bus']);
    expect(r.attrs).toEqual(['speed', 'seats']);
    expect(r.bodyHasContext).toBe(true);
  });

  it('refuses a batch that is not an array of entities', () => {
    expectRefused(() => post('/entityOperations/create', { id: 'urn:a' }), 'BAD_REQUEST', 'invalid_body');
    expectRefused(() => post('/entityOperations/update', [{ id: 'urn:a' }, 'urn:b']), 'BAD_REQUEST', 'invalid_body');
  });

  it('batch delete: an array of ids', () => {
    expect(post('/entityOperations/delete', ['urn:a', 'urn:b']).entityIds).toEqual(['urn:a', 'urn:b']);
    expectRefused(() => post('/entityOperations/delete', [{ id: 'urn:a' }]), 'BAD_REQUEST', 'invalid_body');
    expectRefused(() => post('/entityOperations/delete', 'urn:a'), 'BAD_REQUEST', 'invalid_body');
  });

  it('batch query: selectors, attrs and every filter', () => {
    const r = post('/entityOperations/query', {
      type: 'Query',
      entities: [{ type: '(Car;Vehicle)|Bus' }, { id: 'urn:a', type: 'Car' }, { idPattern: 'urn:b.*', type: 'Bike' }],
      attrs: ['speed', 'name'],
      q: 'rpm>1;owner.name=="x"',
      geoQ: { geometry: 'Point', coordinates: [1, 2], georel: 'near;maxDistance==10' },
      scopeQ: '/Madrid/#',
      pick: 'id,type,brand{name}',
      omit: ['secret'],
      temporalQ: { timerel: 'after', timeAt: '2020-01-01T00:00:00Z', timeproperty: 'modifiedAt' },
    });
    expect(r.types).toEqual(['Car', 'Vehicle', 'Bus', 'Bike']);
    expect(r.entityIds).toEqual(['urn:a']);
    expect(r.idPatterns).toEqual(['urn:b.*']);
    expect(r.attrs).toEqual(['speed', 'name', 'brand']);
    expect(r.filterReads).toEqual([
      { attr: 'speed', via: 'attrs' }, { attr: 'name', via: 'attrs' },
      { attr: 'rpm', via: 'q' }, { attr: 'owner', via: 'q' },
      { attr: 'scope', via: 'scopeQ' },
      { attr: 'location', via: 'geoproperty' },
      { attr: 'modifiedAt', via: 'timeproperty' },
      { attr: 'brand', via: 'pick' }, { attr: 'secret', via: 'omit' },
    ]);
  });

  it('batch query: a named geoproperty replaces the default', () => {
    const r = post('/entityOperations/query', { type: 'Query', geoQ: { georel: 'within', geoproperty: 'area' } });
    expect(r.filterReads).toEqual([{ attr: 'area', via: 'geoproperty' }]);
  });

  it.each<[unknown, string]>([
    [[], 'invalid_body'], [{ entities: {} }, 'invalid_body'], [{ attrs: [1] }, 'invalid_body'],
    [{ geoQ: 'near' }, 'invalid_body'], [{ entities: ['Car'] }, 'invalid_body'],
    [{ entities: [{ type: 'A,' }] }, 'invalid_type_expression'], [{ q: 'a==' }, 'invalid_q'],
    [{ pick: 'a{' }, 'invalid_parameter'],
  ])('refuses query body %j (%s)', (body, reason) => {
    expectRefused(() => post('/entityOperations/query', body), 'BAD_REQUEST', reason);
  });
});

describe('subscription and registration bodies', () => {
  it('subscription: selectors, watched attributes, filters, notification attributes and endpoint', () => {
    const r = post('/subscriptions', {
      id: 'urn:ngsi-ld:Subscription:1',
      type: 'Subscription',
      entities: [{ type: 'FillingLevelSensor' }, { id: 'urn:s:1', type: 'Tank' }],
      watchedAttributes: ['filling'],
      q: 'filling>0.6;filling<0.8;controlledAsset==urn:ngsi-ld:Building:farm001',
      geoQ: { georel: 'near;maxDistance==100', geometry: 'Point', coordinates: [0, 0] },
      scopeQ: '/farm',
      notification: {
        attributes: ['filling', 'controlledAsset'],
        format: 'keyValues',
        endpoint: { uri: 'http://tutorial:3000/subscription/low-stock', accept: 'application/json' },
      },
    });
    expect(r.resourceId).toBe('urn:ngsi-ld:Subscription:1');
    expect(r.types).toEqual(['FillingLevelSensor', 'Tank']);
    expect(r.entityIds).toEqual(['urn:s:1']);
    expect(r.attrs).toEqual(['filling', 'controlledAsset']);
    expect(r.notificationEndpoint).toBe('http://tutorial:3000/subscription/low-stock');
    expect(r.filterReads).toEqual([
      { attr: 'filling', via: 'watchedAttributes' },
      { attr: 'filling', via: 'q' }, { attr: 'controlledAsset', via: 'q' },
      { attr: 'scope', via: 'scopeQ' },
      { attr: 'location', via: 'geoproperty' },
      { attr: 'filling', via: 'attrs' }, { attr: 'controlledAsset', via: 'attrs' },
    ]);
  });

  it('subscription update keeps the path id', () => {
    const r = req('PATCH', `${BASE}/subscriptions/s1`, { body: { id: 'other', watchedAttributes: ['a'] } });
    expect(r.resourceId).toBe('s1');
  });

  it('subscription with join reads through relationships', () => {
    const r = post('/subscriptions', { type: 'Subscription', entities: [{ type: 'A' }], notification: { join: 'inline' } });
    expect(r.filterReads).toEqual([{ attr: '*', via: 'join' }]);
  });

  it.each([
    [{ watchedAttributes: 'a,b', entities: 'Car' }], [{ notification: [] }], [{ notification: { attributes: 'a' , endpoint: { uri: 5 } } }],
    [{ q: 5 }], [{ entities: [{ type: 'Car', id: ['urn:a'] }] }],
  ])('refuses subscription body %j', (body) => {
    expectRefused(() => post('/subscriptions', body), 'BAD_REQUEST', 'invalid_body');
  });

  it('registration: information entities, property and relationship names', () => {
    const r = post('/csourceRegistrations', {
      id: 'urn:reg:1',
      type: 'ContextSourceRegistration',
      information: [
        { entities: [{ type: 'Car' }, { id: 'urn:a', type: ['Bus', 'Vehicle'] }], propertyNames: ['speed'] },
        { entities: [{ idPattern: 'urn:b.*', type: 'Bike' }], relationshipNames: ['owner'] },
      ],
      endpoint: 'http://source',
      mode: 'inclusive',
    });
    expect(r.action).toBe('register');
    expect(r.resourceId).toBe('urn:reg:1');
    expect(r.types).toEqual(['Car', 'Bus', 'Vehicle', 'Bike']);
    expect(r.entityIds).toEqual(['urn:a']);
    expect(r.idPatterns).toEqual(['urn:b.*']);
    expect(r.attrs).toEqual(['speed', 'owner']);
  });

  it('refuses a registration with malformed information', () => {
    expectRefused(() => post('/csourceRegistrations', { information: {} }), 'BAD_REQUEST', 'invalid_body');
    expectRefused(() => post('/csourceRegistrations', { information: [{ propertyNames: [1] }] }), 'BAD_REQUEST', 'invalid_body');
  });

  it('a hosted context must carry @context', () => {
    expect(post('/jsonldContexts', { '@context': {} }).bodyHasContext).toBe(true);
    expectRefused(() => post('/jsonldContexts', { a: 1 }), 'BAD_REQUEST', 'invalid_body');
  });
});
