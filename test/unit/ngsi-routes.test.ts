import { describe, expect, it } from 'vitest';
import { listRoutes, type Action, type Operation } from '../../src/ngsi/index.js';
import { BASE, expectRefused, req } from './ngsi-fixtures.js';

const E = 'urn%3Angsi-ld%3ACar%3A1';

/** Bodies that fit each body shape, so every route can be classified end to end. */
const ENTITY = { id: 'urn:ngsi-ld:Car:1', type: 'Car', speed: { type: 'Property', value: 1 } };
const QUERY = { type: 'Query', entities: [{ type: 'Car' }] };
const SUB = { type: 'Subscription', entities: [{ type: 'Car' }], notification: { endpoint: { uri: 'http://x' } } };
const REG = { type: 'ContextSourceRegistration', information: [{ entities: [{ type: 'Car' }] }], endpoint: 'http://x' };

const CASES: Array<[string, string, Operation, Action, unknown?]> = [
  ['POST', '/entities', 'entity.create', 'create', ENTITY],
  ['GET', '/entities', 'entity.query', 'read'],
  ['GET', `/entities/${E}`, 'entity.retrieve', 'read'],
  ['PUT', `/entities/${E}`, 'entity.replace', 'modify', ENTITY],
  ['PATCH', `/entities/${E}`, 'entity.merge', 'modify', ENTITY],
  ['DELETE', `/entities/${E}`, 'entity.delete', 'delete'],
  ['POST', `/entities/${E}/attrs`, 'attrs.append', 'modify', { speed: { value: 2 } }],
  ['PATCH', `/entities/${E}/attrs`, 'attrs.update', 'modify', { speed: { value: 2 } }],
  ['PATCH', `/entities/${E}/attrs/speed`, 'attr.update', 'modify', { value: 3 }],
  ['PUT', `/entities/${E}/attrs/speed`, 'attr.replace', 'modify', { type: 'Property', value: 3 }],
  ['DELETE', `/entities/${E}/attrs/speed`, 'attr.delete', 'delete'],
  ['POST', '/entityOperations/create', 'batch.create', 'create', [ENTITY]],
  ['POST', '/entityOperations/upsert', 'batch.upsert', 'create', [ENTITY]],
  ['POST', '/entityOperations/update', 'batch.update', 'modify', [ENTITY]],
  ['POST', '/entityOperations/merge', 'batch.merge', 'modify', [ENTITY]],
  ['POST', '/entityOperations/delete', 'batch.delete', 'delete', ['urn:ngsi-ld:Car:1']],
  ['POST', '/entityOperations/query', 'batch.query', 'read', QUERY],
  ['POST', '/temporal/entities', 'temporal.create', 'create', ENTITY],
  ['GET', '/temporal/entities', 'temporal.query', 'readTemporal'],
  ['GET', `/temporal/entities/${E}`, 'temporal.retrieve', 'readTemporal'],
  ['DELETE', `/temporal/entities/${E}`, 'temporal.delete', 'delete'],
  ['POST', `/temporal/entities/${E}/attrs`, 'temporal.attrs.append', 'modify', { speed: [{ value: 1 }] }],
  ['DELETE', `/temporal/entities/${E}/attrs/speed`, 'temporal.attr.delete', 'delete'],
  ['PATCH', `/temporal/entities/${E}/attrs/speed/inst1`, 'temporal.instance.modify', 'modify', { value: 4 }],
  ['DELETE', `/temporal/entities/${E}/attrs/speed/inst1`, 'temporal.instance.delete', 'delete'],
  ['POST', '/temporal/entityOperations/query', 'temporal.batch.query', 'readTemporal', QUERY],
  ['POST', '/subscriptions', 'subscription.create', 'subscribe', SUB],
  ['GET', '/subscriptions', 'subscription.list', 'subscribe'],
  ['GET', '/subscriptions/urn%3As%3A1', 'subscription.retrieve', 'subscribe'],
  ['PATCH', '/subscriptions/urn%3As%3A1', 'subscription.update', 'subscribe', { q: 'speed>1' }],
  ['DELETE', '/subscriptions/urn%3As%3A1', 'subscription.delete', 'subscribe'],
  ['POST', '/csourceRegistrations', 'csource.create', 'register', REG],
  ['GET', '/csourceRegistrations', 'csource.list', 'read'],
  ['GET', '/csourceRegistrations/r1', 'csource.retrieve', 'read'],
  ['PATCH', '/csourceRegistrations/r1', 'csource.update', 'register', { endpoint: 'http://y' }],
  ['DELETE', '/csourceRegistrations/r1', 'csource.delete', 'register'],
  ['POST', '/csourceSubscriptions', 'csourceSubscription.create', 'subscribe', SUB],
  ['GET', '/csourceSubscriptions', 'csourceSubscription.list', 'subscribe'],
  ['GET', '/csourceSubscriptions/c1', 'csourceSubscription.retrieve', 'subscribe'],
  ['PATCH', '/csourceSubscriptions/c1', 'csourceSubscription.update', 'subscribe', SUB],
  ['DELETE', '/csourceSubscriptions/c1', 'csourceSubscription.delete', 'subscribe'],
  ['GET', '/types', 'types.list', 'read'],
  ['GET', '/types/Car', 'types.retrieve', 'read'],
  ['GET', '/attributes', 'attributes.list', 'read'],
  ['GET', '/attributes/speed', 'attributes.retrieve', 'read'],
  ['GET', '/jsonldContexts', 'jsonldContexts.list', 'read'],
  ['POST', '/jsonldContexts', 'jsonldContexts.create', 'manageContexts', { '@context': { a: 'http://a/' } }],
  ['GET', '/jsonldContexts/ctx1', 'jsonldContexts.retrieve', 'read'],
  ['DELETE', '/jsonldContexts/ctx1', 'jsonldContexts.delete', 'manageContexts'],
  ['GET', '/info/sourceIdentity', 'info.sourceIdentity', 'read'],
  ['GET', '/info/conformance', 'info.conformance', 'read'],
  ['POST', '/entityMaps', 'entityMap.create', 'read', QUERY],
  ['GET', '/entityMaps', 'entityMap.list', 'read'],
  ['GET', '/entityMaps/m1', 'entityMap.retrieve', 'read'],
  ['PATCH', '/entityMaps/m1', 'entityMap.update', 'read', { expiresAt: '2030-01-01T00:00:00Z' }],
  ['DELETE', '/entityMaps/m1', 'entityMap.delete', 'read'],
];

describe('route table', () => {
  it.each(CASES)('%s %s -> %s (%s)', (method, path, operation, action, body) => {
    const r = req(method, BASE + path, body === undefined ? {} : { body });
    expect(r.operation).toBe(operation);
    expect(r.action).toBe(action);
    expect(r.path).toBe(BASE + path);
  });

  it('the cases above cover every route in the table', () => {
    const covered = new Set(CASES.map(([m, , op]) => `${m} ${op}`));
    for (const r of listRoutes()) expect(covered).toContain(`${r.method} ${r.operation}`);
    expect(listRoutes()).toHaveLength(CASES.length);
  });

  it('captures path parameters in their roles', () => {
    const inst = req('PATCH', `${BASE}/temporal/entities/${E}/attrs/speed/inst1`, { body: { value: 1 } });
    expect(inst.entityIds).toEqual(['urn:ngsi-ld:Car:1']);
    expect(inst.pathAttr).toBe('speed');
    expect(inst.attrs).toEqual(['speed']);
    expect(inst.resourceId).toBe('inst1');
    const type = req('GET', `${BASE}/types/Vehicle`);
    expect(type.pathType).toBe('Vehicle');
    expect(type.types).toEqual(['Vehicle']);
    const sub = req('GET', `${BASE}/subscriptions/urn%3As%3A1`);
    expect(sub.resourceId).toBe('urn:s:1');
    expect(sub.entityIds).toEqual([]);
  });

  it.each([
    '/snapshots', '/snapshots/s1', '', '/entity', '/Entities', '/entityOperations', '/entityOperations/replace',
    '/temporal', '/temporal/entityOperations/upsert', '/info', '/info/other', '/types/Car/extra',
    '/entities/x/attrs/y/z', '/temporal/entities/x/attrs/y/z/w',
  ])('unknown path %s is NOT_FOUND', (path) => {
    expectRefused(() => req('GET', BASE + path), 'NOT_FOUND', 'unknown_path');
  });

  it('paths outside the API base are NOT_FOUND', () => {
    expectRefused(() => req('GET', '/entities'), 'NOT_FOUND', 'unknown_path');
    expectRefused(() => req('GET', '/ngsi-ld/v2/entities'), 'NOT_FOUND', 'unknown_path');
    expectRefused(() => req('GET', '/'), 'NOT_FOUND', 'unknown_path');
  });

  it.each([
    ['PUT', '/entities'], ['DELETE', '/entities'], ['GET', `/entities/${E}/attrs`], ['GET', `/entities/${E}/attrs/a`],
    ['POST', '/types'], ['GET', '/entityOperations/query'], ['HEAD', '/entities'], ['get', '/entities'],
    ['PUT', '/subscriptions/s'], ['POST', '/info/conformance'], ['PATCH', '/temporal/entities/x/attrs/a'],
  ])('%s %s is METHOD_NOT_ALLOWED with an Allow header', (method, path) => {
    const e = expectRefused(() => req(method, BASE + path), 'METHOD_NOT_ALLOWED', 'method_not_allowed');
    expect(e.headers.allow).toMatch(/^[A-Z]+(, [A-Z]+)*$/);
  });
});
