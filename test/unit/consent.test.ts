/**
 * The consent layer: the pure checks (consent/grant.ts, policy/consent.ts), decide() with
 * the caller's consents as input, the per-entity cut of the response filter, and of a
 * subscription's notifications.
 */
import { describe, expect, it } from 'vitest';
import { decideContracts } from '../../src/policy/decide.js';
import { consentHistorySpan, consentNarrowing } from '../../src/policy/index.js';
import type { ConsentGrant, Decision } from '../../src/policy/types.js';
import { grantOf, tokenRefusal, statusAt, type ConsentRecord } from '../../src/consent/index.js';
import { filterResponse } from '../../src/filter/index.js';
import { keepWithin, spansFor } from '../../src/filter/consent-window.js';
import { shownBy } from '../../src/policy/obligations.js';
import { filterNotification, parseNotification, snapshotOf, subscriberToken } from '../../src/subscriptions/index.js';
import { attrsAnyOf, doc, DPV, LOCAL_ISS, NOW, PARTIES, request, snapshot, target, V, type RequestOver } from './contracts-fixtures.js';

const EM = `${V}EnergyMeter`;
const OWNER = `${V}owner`;
const ENERGY = `${V}totalActiveEnergyImport`;
const ALICE = 'urn:ngsi-ld:Person:alice';
const BOB = 'urn:ngsi-ld:Person:bob';

function record(over: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    id: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    dataSubject: { issuer: LOCAL_ISS, sub: 'alice', id: ALICE },
    recipient: 'supplier-app',
    purposes: [`${DPV}ServiceProvision`],
    personalData: [{ type: EM, attributes: [ENERGY, OWNER] }],
    legalBasis: `${DPV}Consent`,
    givenAt: new Date(NOW - 1000).toISOString(),
    events: [{ event: 'given', at: new Date(NOW - 1000).toISOString() }],
    ...over,
  };
}

const aliceGrant = grantOf(record(), PARTIES) as ConsentGrant;

const snap = snapshot(doc('urn:c:meter', {
  'ngsi:dataSubject': 'owner',
  permission: [{
    uid: 'supplier',
    target: target('EnergyMeter', attrsAnyOf('totalActiveEnergyImport', 'serialNumber', 'owner')),
    assignee: 'supplier-app',
    action: ['read', 'readTemporal', 'subscribe', 'modify'],
    duty: [{ action: 'ngsi:obtainConsent' }],
  }],
}));

const supplier = { subject: { clientId: 'supplier-app', sub: 'supplier-app', roles: [] }, purpose: `${DPV}ServiceProvision`, types: [EM] } satisfies RequestOver;

function run(over: RequestOver, consents: ConsentGrant[] = [aliceGrant]): Decision {
  return decideContracts(request(over), snap, { counters: new Map(), decisionId: 'd', consents });
}

describe('consent records', () => {
  it('are given, then withdrawn or expired by time', () => {
    expect(statusAt(record(), NOW)).toBe('given');
    expect(statusAt(record({ validUntil: new Date(NOW).toISOString() }), NOW)).toBe('expired');
    expect(statusAt(record({ validUntil: new Date(NOW + 1).toISOString() }), NOW)).toBe('given');
    const withdrawn = record({ events: [{ event: 'given', at: 'x' }, { event: 'withdrawn', at: 'y' }] });
    expect(statusAt(withdrawn, NOW)).toBe('withdrawn');
  });

  it('a token is refused for an unknown, withdrawn or expired consent, and a withdrawal outranks an expiry', () => {
    const given = record();
    const expired = record({ id: 'urn:uuid:e', validUntil: new Date(NOW - 1).toISOString() });
    const withdrawn = record({ id: 'urn:uuid:w', events: [{ event: 'given', at: 'x' }, { event: 'withdrawn', at: 'y' }] });
    const all = new Map([given, expired, withdrawn].map((r) => [r.id, r]));
    expect(tokenRefusal([given.id], all, NOW)).toBeUndefined();
    expect(tokenRefusal(['urn:uuid:nobody'], all, NOW)).toBe('consent_unknown');
    expect(tokenRefusal([given.id, expired.id], all, NOW)).toBe('consent_expired');
    expect(tokenRefusal([expired.id, withdrawn.id], all, NOW)).toBe('consent_withdrawn');
  });

  it('read for the decision: recipient resolved per issuer, attributes as a scope, expiry as a time', () => {
    const g = grantOf(record({ validUntil: new Date(NOW + 5000).toISOString(), recipient: '@partner-idp/app' }), PARTIES) as ConsentGrant;
    expect(g.until).toBe(NOW + 5000);
    expect([...(g.recipients.get('https://idp.partner.example') ?? [])]).toEqual(['app']);
    expect(grantOf(record({ recipient: '@nobody/app' }), PARTIES)).toBeUndefined();
  });
});

describe('decide: the consent layer', () => {
  it('permits with a consent, under an obligation naming the subject and what it covers', () => {
    const d = run(supplier);
    expect([d.effect, d.reason]).toEqual(['permit', 'permitted']);
    const c = d.obligations.consent!;
    expect(c.types.get(EM)?.subject).toBe(OWNER);
    expect(c.types.get(EM)?.free).toBeUndefined();
    expect(c.covered.get(ALICE)?.get(EM)).toEqual({ kind: 'only', attrs: new Set([ENERGY, OWNER]) });
    expect(c.consents).toEqual([aliceGrant.id]);
  });

  it('denies without a consent, as before consent records existed', () => {
    expect(decideContracts(request(supplier), snap, { counters: new Map(), decisionId: 'd' }).reason).toBe('consent_required');
    expect(run(supplier, []).reason).toBe('consent_required');
  });

  it('a consent for another purpose, or a broader one, covers nothing; a narrower one is covered', () => {
    expect(run({ ...supplier, purpose: `${DPV}Marketing` }).reason).toBe('consent_required');
    expect(run({ ...supplier, purpose: `${DPV}Purpose` }).reason).toBe('consent_required');
    const { purpose: _p, ...none } = supplier;
    expect(run(none).reason).toBe('consent_required');
    expect(run({ ...supplier, purpose: `${DPV}ServiceOptimisation` }).effect).toBe('permit');
  });

  it('a consent given to someone else covers nothing, even where the contract reaches the caller', () => {
    const toOther = grantOf(record({ recipient: 'other-app' }), PARTIES) as ConsentGrant;
    expect(run(supplier, [toOther]).reason).toBe('consent_required');
    // The same client name at a partner's issuer is someone else.
    const partner = grantOf(record({ recipient: '@partner-idp/supplier-app' }), PARTIES) as ConsentGrant;
    expect(run(supplier, [partner]).reason).toBe('consent_required');
  });

  it('a consent that has expired by the request\'s clock covers nothing', () => {
    expect(run(supplier, [{ ...aliceGrant, until: NOW }]).reason).toBe('consent_required');
    expect(run(supplier, [{ ...aliceGrant, until: NOW + 1 }]).effect).toBe('permit');
  });

  it('a consent for another type covers nothing', () => {
    const other = { ...aliceGrant, types: new Map([[`${V}WaterMeter`, aliceGrant.types.get(EM)!]]) };
    expect(run(supplier, [other]).reason).toBe('consent_required');
  });

  it('never covers writes', () => {
    expect(run({ ...supplier, action: 'modify', operation: 'attrs.update', attrs: [ENERGY] }).reason).toBe('consent_required');
  });

  it('covers a subscription as it covers a read: the same recipient, purpose, type and attribute rules', () => {
    const subscribe = { ...supplier, action: 'subscribe', operation: 'subscription.create', attrs: [ENERGY, OWNER] } satisfies RequestOver;
    const d = run(subscribe);
    expect([d.effect, d.reason]).toEqual(['permit', 'permitted']);
    expect(d.obligations.consent?.types.get(EM)?.subject).toBe(OWNER);
    expect(d.obligations.consent?.covered.get(ALICE)?.get(EM)).toEqual({ kind: 'only', attrs: new Set([ENERGY, OWNER]) });
    expect(run(subscribe, []).reason).toBe('consent_required');
    expect(run({ ...subscribe, purpose: `${DPV}Marketing` }).reason).toBe('consent_required');
    expect(run(subscribe, [grantOf(record({ recipient: 'other-app' }), PARTIES) as ConsentGrant]).reason).toBe('consent_required');
    expect(run(subscribe, [{ ...aliceGrant, until: NOW }]).reason).toBe('consent_required');
    // What the rule does not grant, no consent lets through.
    expect(run({ ...subscribe, attrs: [`${V}address`] }).reason).toBe('attribute_not_permitted');
  });

  it('lets the subscriber see and delete its subscriptions whatever its consents: no entity data is shown', () => {
    for (const operation of ['subscription.retrieve', 'subscription.delete', 'subscription.list'] as const) {
      const d = run({ ...supplier, action: 'subscribe', operation, types: [], typeUnknown: true }, []);
      expect([operation, d.effect, d.obligations.consent]).toEqual([operation, 'permit', undefined]);
    }
    // Only the permission's assignee.
    const other = { clientId: 'other-app', sub: 'other-app', roles: [] };
    expect(run({ ...supplier, subject: other, action: 'subscribe', operation: 'subscription.delete', types: [], typeUnknown: true }, []).effect).toBe('deny');
  });

  it('covers history, each consent with the span it holds in and what it covers then', () => {
    const later = grantOf(record({ id: 'urn:uuid:l', personalData: [{ type: EM, attributes: null }], givenAt: new Date(NOW - 10).toISOString(), validUntil: new Date(NOW + 500).toISOString() }), PARTIES) as ConsentGrant;
    const d = run({ ...supplier, action: 'readTemporal', operation: 'temporal.query' }, [aliceGrant, later]);
    expect(d.effect).toBe('permit');
    // The broker is asked from the earliest consent on; one open consent leaves the end open.
    expect(consentHistorySpan(d.obligations)).toEqual({ from: NOW - 1000 });
    expect(consentHistorySpan(run({ ...supplier, action: 'readTemporal', operation: 'temporal.query' }, [later]).obligations)).toEqual({ from: NOW - 10, until: NOW + 500 });
    expect(d.obligations.consent?.windows.get(ALICE)?.get(EM)).toEqual([
      { from: NOW - 1000, scope: { kind: 'only', attrs: new Set([ENERGY, OWNER]) } },
      { from: NOW - 10, until: NOW + 500, scope: { kind: 'all', except: new Set() } },
    ]);
  });

  it('a permission needing consent without a data subject never permits', () => {
    const bare = snapshot(doc('urn:c:bare', { permission: [{ uid: 'p', target: target('EnergyMeter'), assignee: 'supplier-app', action: 'read', duty: [{ action: 'ngsi:obtainConsent' }] }] }));
    const d = decideContracts(request(supplier), bare, { counters: new Map(), decisionId: 'd', consents: [aliceGrant] });
    expect(d.reason).toBe('consent_required');
  });

  it('a query is narrowed to the consenting subjects only where that is exact', () => {
    const d = run(supplier);
    expect(consentNarrowing(d.obligations)).toEqual({ attribute: OWNER, subjects: [ALICE] });
    const bob = grantOf(record({ id: 'urn:uuid:b', dataSubject: { issuer: LOCAL_ISS, sub: 'bob', id: 'urn:ngsi-ld:Person:"bob"' } }), PARTIES) as ConsentGrant;
    expect(consentNarrowing(run(supplier, [aliceGrant, bob]).obligations)).toBeUndefined();
  });
});

describe('filter: each entity as its data subject consented', () => {
  const meter = (id: string, owner: string | undefined) => ({
    id, type: 'EnergyMeter',
    ...(owner === undefined ? {} : { owner: { type: 'Relationship', object: owner } }),
    totalActiveEnergyImport: { type: 'Property', value: 12 },
    serialNumber: { type: 'Property', value: 'S-1' },
  });
  const expand = (t: string) => (t.includes(':') ? t : V + t);

  it('shows the consented attributes of the consenting person\'s entities, drops the others', () => {
    const d = run(supplier);
    const out = filterResponse({ operation: 'entity.query', body: [meter('m:a', ALICE), meter('m:b', BOB), meter('m:x', undefined)], ...shownBy(d.obligations), expand, options: [] });
    expect(out.body).toEqual([{ id: 'm:a', type: 'EnergyMeter', owner: { type: 'Relationship', object: ALICE }, totalActiveEnergyImport: { type: 'Property', value: 12 } }]);
    expect(out.droppedEntities).toBe(2);
    // Whose data went out under consent, for the audit record: alice, and what was shown of hers.
    expect(out.released).toEqual(new Map([[ALICE, { types: new Set([EM]), attrs: new Set([OWNER, ENERGY]) }]]));
  });

  it('reads the subject in keyValues form, and a by-id read of another person\'s entity is not found', () => {
    const d = run(supplier);
    const kv = filterResponse({ operation: 'entity.retrieve', body: { id: 'm:a', type: 'EnergyMeter', owner: ALICE, serialNumber: 'S' }, ...shownBy(d.obligations), expand, options: ['keyValues'] });
    expect(kv.body).toEqual({ id: 'm:a', type: 'EnergyMeter', owner: ALICE });
    expect(() => filterResponse({ operation: 'entity.retrieve', body: meter('m:b', BOB), ...shownBy(d.obligations), expand, options: [] }))
      .toThrow(expect.objectContaining({ status: 404 }));
  });

  it('an owner given twice, or as several instances, names nobody', () => {
    const d = run(supplier);
    const twice = { ...meter('m:a', ALICE), [`${V}owner`]: { type: 'Relationship', object: ALICE } };
    const multi = { ...meter('m:a', undefined), owner: [{ type: 'Relationship', object: ALICE, datasetId: 'urn:a' }] };
    const out = filterResponse({ operation: 'entity.query', body: [twice, multi], ...shownBy(d.obligations), expand, options: [] });
    expect(out.body).toEqual([]);
    expect(out.released).toBeUndefined();
  });
});

describe('filter: history only from when a consent held', () => {
  const T0 = NOW - 1000;
  const at = (ms: number) => new Date(ms).toISOString();
  const history = { timeproperty: 'observedAt' };
  const only = (...attrs: string[]) => ({ kind: 'only' as const, attrs: new Set(attrs) });
  const spans = [{ from: T0, until: T0 + 100, scope: only(ENERGY) }, { from: T0 + 500, scope: only(ENERGY) }];
  const instance = (ms: number | undefined, value = 1) => ({ type: 'Property', value, ...(ms === undefined ? {} : { observedAt: at(ms) }) });

  it('keeps the instances inside a span: from given (included) to withdrawn or expired (excluded)', () => {
    const value = [instance(T0 - 1), instance(T0, 2), instance(T0 + 99, 3), instance(T0 + 100), instance(T0 + 499), instance(T0 + 500, 4), instance(undefined)];
    expect(keepWithin(value, spans, history)).toEqual([instance(T0, 2), instance(T0 + 99, 3), instance(T0 + 500, 4)]);
    expect(keepWithin([instance(T0 - 1)], spans, history)).toBeUndefined();
    expect(keepWithin(instance(T0 + 1), spans, history)).toEqual(instance(T0 + 1));
    expect(keepWithin(instance(T0 + 200), spans, history)).toBeUndefined();
  });

  it('reads the time the request asks for, and cuts temporalValues pairs', () => {
    const made = [{ ...instance(T0 - 5), createdAt: at(T0 + 1) }];
    expect(keepWithin(made, spans, { timeproperty: 'createdAt' })).toEqual(made);
    expect(keepWithin(made, spans, history)).toBeUndefined();
    const pairs = { type: 'Property', values: [[1, at(T0 - 1)], [2, at(T0 + 1)], [3, 'not a time']] };
    expect(keepWithin(pairs, spans, history)).toEqual({ type: 'Property', values: [[2, at(T0 + 1)]] });
    expect(keepWithin({ type: 'Property', values: [[1, at(T0 - 1)]] }, spans, history)).toBeUndefined();
  });

  it('what cannot be placed in time is removed: aggregated values, bare values', () => {
    expect(keepWithin({ type: 'Property', avg: [[1, at(T0 + 1), at(T0 + 2)]] }, spans, history)).toBeUndefined();
    expect(keepWithin(12, spans, history)).toBeUndefined();
  });

  it('an attribute shown without consent keeps its history; one no span covers has none', () => {
    const d = run({ ...supplier, action: 'readTemporal', operation: 'temporal.query' });
    const where = spansFor([EM], d.obligations.consent!, new Map([[OWNER, ALICE]]), () => undefined);
    expect(where(ENERGY)).toEqual([{ from: T0, scope: only(ENERGY, OWNER) }]);
    expect(where(`${V}serialNumber`)).toEqual([]);
    expect(spansFor([EM], d.obligations.consent!, new Map([[OWNER, BOB]]), () => undefined)(ENERGY)).toEqual([]);
    expect(spansFor([EM, `${V}Other`], d.obligations.consent!, new Map(), () => ({ kind: 'all', except: new Set() }))(ENERGY)).toBe('always');
  });

  it('a temporal answer shows each consenting person\'s instances from when they consented, and drops what is left empty', () => {
    const d = run({ ...supplier, action: 'readTemporal', operation: 'temporal.query' });
    const expand = (t: string) => (t.includes(':') ? t : V + t);
    const owner = (who: string, ms: number) => ({ type: 'Relationship', object: who, observedAt: at(ms) });
    const before = { id: 'm:old', type: 'EnergyMeter', owner: [owner(ALICE, T0 - 10)], totalActiveEnergyImport: [instance(T0 - 10)] };
    const alice = { id: 'm:a', type: 'EnergyMeter', owner: [owner(ALICE, T0 - 10), owner(ALICE, T0 + 10)], totalActiveEnergyImport: [instance(T0 - 10), instance(T0 + 10, 2)], serialNumber: [instance(T0 + 10)] };
    const bob = { id: 'm:b', type: 'EnergyMeter', owner: [owner(BOB, T0 + 10)], totalActiveEnergyImport: [instance(T0 + 10)] };
    // The meter changed hands: its history names nobody.
    const sold = { id: 'm:s', type: 'EnergyMeter', owner: [owner(BOB, T0 - 10), owner(ALICE, T0 + 10)], totalActiveEnergyImport: [instance(T0 + 10)] };
    const out = filterResponse({ operation: 'temporal.query', body: [before, alice, bob, sold], ...shownBy(d.obligations), expand, options: [], history });
    expect(out.body).toEqual([{ id: 'm:a', type: 'EnergyMeter', owner: [owner(ALICE, T0 + 10)], totalActiveEnergyImport: [instance(T0 + 10, 2)] }]);
    expect(out.droppedEntities).toBe(3);
    expect(() => filterResponse({ operation: 'temporal.retrieve', body: before, ...shownBy(d.obligations), expand, options: [], history }))
      .toThrow(expect.objectContaining({ status: 404 }));
  });
});

describe('notifications under consent', () => {
  const meter = (id: string, owner: string) => ({ id, type: 'EnergyMeter', owner, totalActiveEnergyImport: 12, serialNumber: 'S-1' });
  const expand = (t: string) => (t.includes(':') ? t : V + t);
  const notification = parseNotification({ id: 'urn:n', type: 'Notification', subscriptionId: 'urn:s', notifiedAt: new Date(NOW).toISOString(), data: [meter('m:a', ALICE), meter('m:b', BOB)] });
  const subscribe = { ...supplier, action: 'subscribe', operation: 'subscription.create', attrs: [ENERGY, OWNER] } satisfies RequestOver;

  it('each entity goes out as far as its data subject\'s consents in force at delivery cover it', async () => {
    const out = await filterNotification(notification, run(subscribe).obligations, expand, 'keyValues', 1000);
    expect(out.body.data).toEqual([{ id: 'm:a', type: 'EnergyMeter', owner: ALICE, totalActiveEnergyImport: 12 }]);
    expect(out).toMatchObject({ entities: 1, droppedEntities: 1 });
  });

  it('a consent of another person for the same subscription lets only that person\'s entity through', async () => {
    const bob = grantOf(record({ id: 'urn:uuid:b', dataSubject: { issuer: LOCAL_ISS, sub: 'bob', id: BOB }, personalData: [{ type: EM, attributes: [ENERGY] }] }), PARTIES) as ConsentGrant;
    const out = await filterNotification(notification, run(subscribe, [bob]).obligations, expand, 'keyValues', 1000);
    expect(out.body.data).toEqual([{ id: 'm:b', type: 'EnergyMeter', totalActiveEnergyImport: 12 }]);
  });

  it('the subscriber snapshot keeps the consent ids for each delivery, and one stored without them reads as resting on none', () => {
    const token = { issuer: LOCAL_ISS, sub: 'supplier-app', roles: [], purpose: 'dpv:ServiceProvision', consents: [aliceGrant.id], exp: 1, claims: {} };
    const snap = snapshotOf({ token });
    expect(JSON.parse(JSON.stringify(snap))).toMatchObject({ purpose: 'dpv:ServiceProvision', consents: [aliceGrant.id] });
    expect(subscriberToken(snap).consents).toEqual([aliceGrant.id]);
    const { consents: _c, ...old } = snap;
    expect(subscriberToken(old).consents).toBeUndefined();
  });
});
