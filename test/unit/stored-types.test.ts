/**
 * The stored-types lookup against a real broker over HTTP (the in-memory one), with the
 * cache's clock injected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src/config/index.js';
import { StoredTypes, storedEntityOf, type StoredTypesQuery } from '../../src/gateway/stored-types.js';
import { Upstream } from '../../src/gateway/upstream.js';
import { startMiniBroker, type MiniBroker } from '../helpers/mini-broker.mjs';

let broker: MiniBroker;
let upstream: Upstream;

beforeAll(async () => {
  broker = await startMiniBroker();
  upstream = new Upstream(buildConfig({ upstream: { url: broker.url } }, { baseDir: '/' }).upstream);
  broker.seed({ id: 'urn:a', type: ['A', 'B'], status: { type: 'Property', value: 1 }, name: { type: 'Property', value: 'n' } });
  broker.seed({ id: 'urn:a', type: 'T' }, 'other');
  broker.seed({ id: 'urn:b', type: 'B' });
});
afterAll(async () => {
  await upstream.close();
  await broker.close();
});

function setup(opts: { ttlMs?: number; maxIds?: number } = {}) {
  let now = 1000;
  const st = new StoredTypes({ upstream, basePath: '/ngsi-ld/v1', ttlMs: opts.ttlMs ?? 2000, maxEntries: 100, maxIds: opts.maxIds ?? 10, concurrency: 2, now: () => now });
  return { st, advance: (ms: number) => { now += ms; } };
}

const q = (ids: string[], over: Partial<StoredTypesQuery> = {}): StoredTypesQuery => ({ tenant: undefined, temporal: false, local: false, ids, headers: {}, ...over });
const asked = (from: number) => broker.requests.slice(from).map((r) => r.url);

describe('StoredTypes', () => {
  it('answers the types and attribute names the broker holds, and undefined for an entity it does not hold', async () => {
    const { st } = setup();
    const found = await st.lookup(q(['urn:a', 'urn:missing']));
    expect(found.get('urn:a')).toEqual({ types: ['A', 'B'], attrs: ['status', 'name'] });
    expect(found.has('urn:missing')).toBe(true);
    expect(found.get('urn:missing')).toBeUndefined();
  });

  it('asks in the tenant and form of the write: keyValues for entities, one instance for temporal ones', async () => {
    const { st } = setup();
    const before = broker.requests.length;
    const found = await st.lookup(q(['urn:a'], { tenant: 'other', headers: { 'ngsild-tenant': 'other' } }));
    expect(found.get('urn:a')?.types).toEqual(['T']);
    await st.lookup(q(['urn:b'], { temporal: true, local: true }));
    expect(asked(before)).toEqual(['/ngsi-ld/v1/entities/urn%3Aa?options=keyValues', '/ngsi-ld/v1/temporal/entities/urn%3Ab?lastN=1&local=true']);
  });

  it('keeps an answer until it expires, per tenant', async () => {
    const { st, advance } = setup({ ttlMs: 2000 });
    const before = broker.requests.length;
    await st.lookup(q(['urn:a']));
    await st.lookup(q(['urn:a']));
    expect(asked(before)).toHaveLength(1);
    await st.lookup(q(['urn:a'], { tenant: 'other', headers: { 'ngsild-tenant': 'other' } }));
    expect(asked(before)).toHaveLength(2);
    advance(1999);
    await st.lookup(q(['urn:a']));
    expect(asked(before)).toHaveLength(2);
    advance(1);
    await st.lookup(q(['urn:a']));
    expect(asked(before)).toHaveLength(3);
  });

  it('asks once for concurrent lookups of one entity, and again when asked fresh', async () => {
    const { st } = setup();
    const before = broker.requests.length;
    const [x, y] = await Promise.all([st.lookup(q(['urn:b'])), st.lookup(q(['urn:b']))]);
    expect(x.get('urn:b')).toEqual(y.get('urn:b'));
    expect(asked(before)).toHaveLength(1);
    await st.lookup(q(['urn:b'], { fresh: true }));
    expect(asked(before)).toHaveLength(2);
  });

  it('does not keep "not found": an entity created meanwhile is seen at once', async () => {
    const { st } = setup();
    expect((await st.lookup(q(['urn:later']))).get('urn:later')).toBeUndefined();
    broker.seed({ id: 'urn:later', type: 'L' });
    expect((await st.lookup(q(['urn:later']))).get('urn:later')?.types).toEqual(['L']);
  });

  it('forgets an entity in one tenant, and does not keep an answer that was under way while it was forgotten', async () => {
    const { st } = setup();
    const before = broker.requests.length;
    await st.lookup(q(['urn:a']));
    await st.lookup(q(['urn:a'], { tenant: 'other', headers: { 'ngsild-tenant': 'other' } }));
    st.forget(undefined, ['urn:a']);
    await st.lookup(q(['urn:a']));
    await st.lookup(q(['urn:a'], { tenant: 'other', headers: { 'ngsild-tenant': 'other' } }));
    expect(asked(before)).toHaveLength(3);
    const during = st.lookup(q(['urn:b']));
    st.forget(undefined, ['urn:b']);
    expect((await during).get('urn:b')?.types).toEqual(['B']);
    await st.lookup(q(['urn:b']));
    expect(asked(before)).toHaveLength(5);
  });

  it('refuses more ids than it may ask about, before asking anything', async () => {
    const { st } = setup({ maxIds: 2 });
    const before = broker.requests.length;
    await expect(st.lookup(q(['urn:1', 'urn:2', 'urn:3']))).rejects.toMatchObject({ status: 413, reason: 'too_many_entities' });
    // The same id twice is one entity.
    await st.lookup(q(['urn:a', 'urn:a', 'urn:b']));
    expect(asked(before)).toHaveLength(2);
  });

  it('fails closed on any other answer, and keeps nothing of it', async () => {
    const { st } = setup();
    broker.setFault(() => ({ status: 500, body: '{}' }));
    try {
      await expect(st.lookup(q(['urn:a']))).rejects.toMatchObject({ status: 502, reason: 'stored_types_unavailable' });
      broker.setFault(() => ({ status: 200, body: '[' }));
      await expect(st.lookup(q(['urn:a']))).rejects.toMatchObject({ status: 502, reason: 'stored_types_invalid' });
    } finally {
      broker.setFault(undefined);
    }
    expect((await st.lookup(q(['urn:a']))).get('urn:a')?.types).toEqual(['A', 'B']);
  });
});

describe('storedEntityOf', () => {
  it('reads types and attribute names, leaving out identity and JSON-LD members', () => {
    expect(storedEntityOf({ id: 'urn:x', type: ['A', 'A', 'B'], '@context': 'c', p: 1, scope: 's' }, 'urn:x')).toEqual({ types: ['A', 'B'], attrs: ['p', 'scope'] });
  });

  it('refuses an answer that does not describe the entity asked about', () => {
    for (const body of [null, [], 'x', { id: 'urn:y', type: 'A' }, { id: 'urn:x' }, { id: 'urn:x', type: [] }, { id: 'urn:x', type: [1] }, { id: 'urn:x', type: '' }]) {
      expect(() => storedEntityOf(body, 'urn:x'), JSON.stringify(body)).toThrow(expect.objectContaining({ status: 502, reason: 'stored_types_invalid' }));
    }
  });
});
