import { describe, expect, it } from 'vitest';
import { refuseRedefinedMembers } from '../../src/ngsi/index.js';
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
    [{ id: 'urn:a', '': 1 }],
    [[{ id: 'urn:a' }]], ['text'], [null], [undefined],
  ])('refuses entity body %j', (body) => {
    expectRefused(() => post('/entities', body), 'BAD_REQUEST', 'invalid_body');
  });

  it.each([
    ['@graph', { id: 'urn:a', '@graph': [] }],
    ['@nest', { id: 'urn:a', '@nest': { secret: 1 } }],
    ['@included', { id: 'urn:a', '@included': [{ id: 'urn:b', secret: 1 }] }],
    ['@reverse', { id: 'urn:a', '@reverse': { owner: { id: 'urn:b' } } }],
    ['an unknown keyword form', { id: 'urn:a', '@secret': 1 }],
    ['@nest inside an attribute', { id: 'urn:a', speed: { type: 'Property', value: 1, '@nest': { secret: 1 } } }],
    ['@graph deep inside a value', { id: 'urn:a', speed: { type: 'Property', value: { a: [{ '@graph': [] }] } } }],
    ['a nested @context', { id: 'urn:a', speed: { type: 'Property', '@context': { value: 'https://evil.example/v' }, value: 1 } }],
  ])('refuses an entity body using %s', (_name, body) => {
    expectRefused(() => post('/entities', body), 'BAD_REQUEST', 'keyword_member');
    expectRefused(() => post('/entityOperations/upsert', [body]), 'BAD_REQUEST', 'keyword_member');
    expectRefused(() => req('PATCH', `${BASE}/entities/urn%3Aa/attrs`, { body }), 'BAD_REQUEST', 'keyword_member');
  });

  it('refuses structural keywords in attribute, query and subscription bodies too', () => {
    expectRefused(() => req('PATCH', `${BASE}/entities/urn%3Aa/attrs/speed`, { body: { value: 1, '@included': [] } }), 'BAD_REQUEST', 'keyword_member');
    expectRefused(() => post('/entityOperations/query', { type: 'Query', geoQ: { georel: 'within', '@nest': {} } }), 'BAD_REQUEST', 'keyword_member');
    expectRefused(() => post('/subscriptions', { type: 'Subscription', notification: { '@reverse': {} } }), 'BAD_REQUEST', 'keyword_member');
  });

  it('keeps value objects and language maps, which use keywords that do not restructure', () => {
    const r = post('/entities', {
      id: 'urn:a', type: 'Car',
      since: { type: 'Property', value: { '@type': 'DateTime', '@value': '2020-01-01T00:00:00Z' } },
      label: { type: 'LanguageProperty', languageMap: { en: 'car', '@none': 'auto' } },
    });
    expect(r.attrs).toEqual(['since', 'label']);
  });

  it('refuses a body nested deeper than the stack would allow without crashing', () => {
    let deep: unknown = { '@nest': 1 };
    for (let i = 0; i < 50_000; i++) deep = { a: deep };
    expectRefused(() => post('/entities', { id: 'urn:a', speed: deep }), 'BAD_REQUEST', 'keyword_member');
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

  it.each<[string, unknown]>([
    ['a prefixed q', { type: 'Query', 'ngsi-ld:q': 'ownerReference==1' }],
    ['q by its IRI', { type: 'Query', 'https://uri.etsi.org/ngsi-ld/q': 'ownerReference==1' }],
    ['attrs by its IRI', { type: 'Query', 'https://uri.etsi.org/ngsi-ld/attrs': ['x'] }],
    ['an unknown top-level member', { type: 'Query', orderBy: 'x' }],
    ['aggregation in the body', { type: 'Query', aggrMethods: 'sum' }],
    ['an unknown entity selector member', { type: 'Query', entities: [{ type: 'A', 'ngsi-ld:idPattern': '.*' }] }],
    ['an unknown geoQ member', { type: 'Query', geoQ: { georel: 'within', 'ngsi-ld:geoproperty': 'x' } }],
    ['an unknown temporalQ member', { type: 'Query', temporalQ: { timerel: 'after', lastN: 1 } }],
    ['a keyword id', { type: 'Query', '@id': 'urn:x' }],
  ])('refuses a query body with %s', (_name, body) => {
    expectRefused(() => post('/entityOperations/query', body), 'BAD_REQUEST', 'unknown_member');
    expectRefused(() => post('/temporal/entityOperations/query', body), 'BAD_REQUEST', 'unknown_member');
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

  it.each<[string, unknown]>([
    ['a second notification under an IRI', { 'https://uri.etsi.org/ngsi-ld/notification': { attributes: ['secret'] } }],
    ['a prefixed q', { 'ngsi-ld:q': 'secret==1' }],
    ['a prefixed watchedAttributes', { 'ngsi-ld:watchedAttributes': ['secret'] }],
    ['a read-only member', { status: 'active' }],
    ['an unknown notification member', { notification: { attributes: ['a'], 'ngsi-ld:attributes': ['secret'] } }],
    ['an unknown endpoint member', { notification: { endpoint: { uri: 'https://a.example/n', 'ngsi-ld:uri': 'https://b.example/n' } } }],
    ['an unknown receiverInfo member', { notification: { endpoint: { uri: 'https://a.example/n', receiverInfo: [{ key: 'k', value: 'v', extra: 1 }] } } }],
  ])('refuses a subscription body with %s', (_name, body) => {
    const full = { type: 'Subscription', entities: [{ type: 'A' }], ...(body as object) };
    expectRefused(() => post('/subscriptions', full), 'BAD_REQUEST', 'unknown_member');
    expectRefused(() => req('PATCH', `${BASE}/subscriptions/s1`, { body: full }), 'BAD_REQUEST', 'unknown_member');
  });

  it('accepts every member of a complete subscription', () => {
    const r = post('/subscriptions', {
      '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld',
      id: 'urn:s:1', type: 'Subscription', subscriptionName: 'n', description: 'd', entities: [{ idPattern: '.*', type: 'A' }],
      watchedAttributes: ['a'], notificationTrigger: ['attributeUpdated'], q: 'a>1', geoQ: { georel: 'within', geometry: 'Point', coordinates: [0, 0] },
      csf: 'x', isActive: true, expiresAt: '2030-01-01T00:00:00Z', throttling: 5, lang: 'en', jsonldContext: 'https://ctx.example/c.jsonld',
      notification: {
        attributes: ['a'], sysAttrs: false, format: 'normalized', showChanges: true,
        endpoint: { uri: 'https://a.example/n', accept: 'application/json', timeout: 5, receiverInfo: [{ key: 'k', value: 'v' }], notifierInfo: [{ key: 'k', value: 'v' }] },
      },
    });
    expect(r.attrs).toEqual(['a']);
  });

  it('refuses a context that redefines a member of a query or subscription body, and only there', () => {
    const redefines = (name: string) => name === 'receiverInfo' || name === 'temporalQ';
    for (const op of ['subscription.create', 'subscription.update', 'batch.query', 'temporal.batch.query', 'entityMap.create'] as const) {
      expectRefused(() => refuseRedefinedMembers(op, redefines), 'BAD_REQUEST', 'member_redefined');
      expect(() => refuseRedefinedMembers(op, () => false)).not.toThrow();
    }
    // entity bodies: member names are attribute names, decided as what they expand to
    for (const op of ['entity.create', 'attrs.append', 'batch.upsert', 'entity.query'] as const) {
      expect(() => refuseRedefinedMembers(op, redefines)).not.toThrow();
    }
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
