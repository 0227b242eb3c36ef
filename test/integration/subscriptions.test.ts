/**
 * Subscriptions owned and relayed, end to end: callers subscribe through the real gateway
 * over HTTPS; the in-memory broker keeps the relay URL it was given and, when an entity
 * changes, POSTs a real notification to the gateway's relay; the gateway decides it with
 * the subscriber's current rights, cuts it, audits it and delivers it to the subscriber's
 * own HTTP server. Each case is a way to see or steer someone else's notifications.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { startSubscriber, type ReceivedNotification, type Subscriber } from '../helpers/subscriber.js';

const S = '/ngsi-ld/v1/subscriptions';
const E = '/ngsi-ld/v1/entities';

let h: Harness;
let subscriber: Subscriber;
let subscriberUrl = '';

const alice = () => token(h.issuer, { sub: 'alice', roles: ['viewer'] });
const bob = () => token(h.issuer, { sub: 'bob', roles: ['viewer'] });
const operator = () => token(h.issuer, { sub: 'olga', roles: ['operator'] });
const provider = () => token(h.issuer, { sub: 'paul', roles: ['provider'] });
const contractAdmin = () => token(h.issuer, { sub: 'carol', roles: ['contract-admin'] });

const spot = (n: number) => ({
  id: `urn:ngsi-ld:ParkingSpot:${n}`,
  type: 'ParkingSpot',
  status: { type: 'Property', value: 'free' },
  name: { type: 'Property', value: `Spot ${n}` },
  ownerReference: { type: 'Relationship', object: 'urn:ngsi-ld:Person:alice' },
  refDevice: { type: 'Relationship', object: 'urn:ngsi-ld:Device:7' },
});

/** A contract of the test's own, through the admin API: viewers may read and subscribe to some TrafficFlowObserved attributes. */
const trafficContract = (attrs: string[]) => ({
  '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
  '@type': 'Set',
  uid: 'urn:test:traffic',
  profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
  permission: [{
    uid: 'urn:test:traffic:subscribe',
    target: { '@type': 'AssetCollection', refinement: [
      { leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'TrafficFlowObserved' },
      { leftOperand: 'ngsi:attribute', operator: 'isAnyOf', rightOperand: attrs },
    ] },
    action: ['ngsi:read', 'ngsi:subscribe'],
  }],
});

const flow = (n: number) => ({
  id: `urn:ngsi-ld:TrafficFlowObserved:${n}`,
  type: 'TrafficFlowObserved',
  intensity: { type: 'Property', value: 120 },
  dateObserved: { type: 'Property', value: '2026-01-01T00:00:00Z' },
});

function parkingSubscription(path: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'Subscription',
    entities: [{ type: 'ParkingSpot' }],
    watchedAttributes: ['status'],
    notification: {
      attributes: ['status', 'name'],
      endpoint: { uri: `${subscriberUrl}${path}`, accept: 'application/json', receiverInfo: [{ key: 'X-Api-Key', value: `secret-of-${path.slice(1)}` }] },
    },
    ...extra,
  };
}

async function subscribe(tokenValue: string, body: unknown): Promise<string> {
  const res = await h.call('POST', S, { token: tokenValue, body });
  expect(res.status, res.text).toBe(201);
  const location = res.headers.location as string;
  return decodeURIComponent(location.slice(location.lastIndexOf('/') + 1));
}

function receivedAt(path: string): ReceivedNotification[] {
  return subscriber.at(path);
}

function brokerSaw(method: string, id: string): boolean {
  return h.broker.requests.some((r) => r.method === method && decodeURIComponent(r.url).includes(id));
}

function auditRows(where: string): Array<{ effect: string; reason: string; sub: string | null; operation: string; targets: string; rules: string | null }> {
  const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
  try {
    return db.prepare(`SELECT effect, reason, sub, operation, targets, rules FROM audit_records WHERE ${where} ORDER BY seq`).all() as never;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  subscriber = await startSubscriber();
  subscriberUrl = subscriber.url;
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-city'),
    // The subscriber's server is plain HTTP on loopback: allowed here only, for the test.
    subscriptions: { endpoints: { allowSchemes: ['https', 'http'], allowLoopback: true } },
  });
  h.broker.trust(h.ca);
});
afterAll(async () => {
  await h?.close();
  await subscriber?.close();
});
beforeEach(() => {
  subscriber.received.length = 0;
});

describe('relay', () => {
  it('gives the broker a relay URL and nothing of the subscriber endpoint', async () => {
    const id = await subscribe(await alice(), parkingSubscription('/relay-url'));
    const stored = h.broker.subscription(id)!;
    expect(stored.notification.endpoint.uri).toMatch(new RegExp(`^${h.gateway.url}/relay/notify/[A-Za-z0-9_-]{43}$`));
    expect(stored.notification.endpoint.receiverInfo).toBeUndefined();
    const create = h.broker.requests.filter((r) => r.method === 'POST' && r.url === S).at(-1)!;
    expect(create.body).not.toContain('secret-of-relay-url');
    expect(create.body).not.toContain(subscriberUrl);
  });

  it('runs the whole loop: entity changed, broker notifies the gateway, subscriber gets the decided part', async () => {
    await subscribe(await alice(), parkingSubscription('/loop'));
    const created = await h.call('POST', E, { token: await provider(), body: {
      id: 'urn:ngsi-ld:ParkingSpot:70', type: 'ParkingSpot',
      status: { type: 'Property', value: 'occupied' }, name: { type: 'Property', value: 'Spot 70' },
    } });
    expect(created.status, created.text).toBe(201);
    const got = receivedAt('/loop');
    expect(got).toHaveLength(1);
    expect(got[0]!.headers['x-api-key']).toBe('secret-of-loop');
    expect(got[0]!.body.type).toBe('Notification');
    expect(got[0]!.body.data).toEqual([{ id: 'urn:ngsi-ld:ParkingSpot:70', type: 'ParkingSpot', status: { type: 'Property', value: 'occupied' }, name: { type: 'Property', value: 'Spot 70' } }]);
    expect(h.broker.notifications.at(-1)!.status).toBe(204);
    const rows = auditRows("operation = 'subscription.notify' AND sub = 'alice' AND effect = 'permit'");
    expect(rows.map((r) => r.reason)).toContain('before_effect');
    expect(rows.map((r) => r.reason)).toContain('notification_delivered');
  });

  it('cuts a forbidden attribute out of a notification the broker sends anyway', async () => {
    const id = await subscribe(await alice(), parkingSubscription('/cut'));
    const status = await h.broker.notify(id, [spot(2)]);
    expect(status).toBe(204);
    const got = receivedAt('/cut');
    expect(got).toHaveLength(1);
    const entity = got[0]!.body.data[0];
    expect(entity.status).toBeDefined();
    expect(entity.ownerReference).toBeUndefined();
    expect(entity.refDevice).toBeUndefined();
    expect(JSON.stringify(got[0]!.body)).not.toContain('urn:ngsi-ld:Person:alice');
  });

  it('drops entities of a type the subscriber may not see, and delivers nothing when none is left', async () => {
    const id = await subscribe(await alice(), parkingSubscription('/drop'));
    const status = await h.broker.notify(id, [{ id: 'urn:ngsi-ld:SecretSite:1', type: 'SecretSite', name: { type: 'Property', value: 'bunker' } }]);
    expect(status).toBe(204);
    expect(receivedAt('/drop')).toHaveLength(0);
  });

  it('stops delivery on the next notification when the contract is narrowed, and when it is withdrawn', async () => {
    const admin = await contractAdmin();
    const put = await h.call('PUT', '/admin/contracts/urn:test:traffic', { token: admin, body: trafficContract(['intensity', 'dateObserved']) });
    expect(put.status, put.text).toBeLessThan(300);
    const id = await subscribe(await alice(), {
      type: 'Subscription', entities: [{ type: 'TrafficFlowObserved' }],
      notification: { attributes: ['intensity'], endpoint: { uri: `${subscriberUrl}/traffic` } },
    });
    expect(await h.broker.notify(id, [flow(1)])).toBe(204);
    expect(receivedAt('/traffic')).toHaveLength(1);

    // narrowed: intensity is no longer permitted
    expect((await h.call('PUT', '/admin/contracts/urn:test:traffic', { token: admin, body: trafficContract(['dateObserved']) })).status).toBeLessThan(300);
    expect(await h.broker.notify(id, [flow(2)])).toBe(403);
    expect(receivedAt('/traffic')).toHaveLength(1);

    // restored, then withdrawn
    expect((await h.call('PUT', '/admin/contracts/urn:test:traffic', { token: admin, body: trafficContract(['intensity']) })).status).toBeLessThan(300);
    expect(await h.broker.notify(id, [flow(3)])).toBe(204);
    expect(receivedAt('/traffic')).toHaveLength(2);
    expect((await h.call('DELETE', '/admin/contracts/urn:test:traffic', { token: admin })).status).toBe(204);
    expect(await h.broker.notify(id, [flow(4)])).toBe(403);
    expect(receivedAt('/traffic')).toHaveLength(2);

    const denied = auditRows("operation = 'subscription.notify' AND sub = 'alice' AND effect = 'deny'");
    expect(denied.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(subscriber.received)).not.toContain('urn:ngsi-ld:TrafficFlowObserved:2');
  });

  it('refuses a relay token it never gave out, and a notification naming another subscription', async () => {
    const forged = await h.call('POST', `/relay/notify/${'A'.repeat(43)}`, { body: { type: 'Notification', subscriptionId: 'x', data: [] } });
    expect(forged.status).toBe(404);
    const id = await subscribe(await alice(), parkingSubscription('/mismatch'));
    const other = await subscribe(await bob(), parkingSubscription('/mismatch-bob'));
    const relay = new URL(h.broker.subscription(id)!.notification.endpoint.uri).pathname;
    const res = await h.call('POST', relay, { body: { type: 'Notification', subscriptionId: other, data: [spot(3)] } });
    expect(res.status).toBe(400);
    expect(receivedAt('/mismatch')).toHaveLength(0);
  });
});

describe('ownership', () => {
  it('lists only the caller\'s own subscriptions, with a count that matches', async () => {
    const mine = await subscribe(await alice(), parkingSubscription('/list-alice'));
    const theirs = await subscribe(await bob(), parkingSubscription('/list-bob'));
    const res = await h.call('GET', `${S}?count=true`, { token: await bob() });
    expect(res.status).toBe(200);
    const ids = (res.json() as Array<{ id: string }>).map((s) => s.id);
    expect(ids).toContain(theirs);
    expect(ids).not.toContain(mine);
    expect(Number(res.headers['ngsild-results-count'])).toBe(ids.length);
    expect(res.text).not.toContain('secret-of-list-alice');
    expect(res.text).not.toContain('/relay/notify');
  });

  it('answers another caller\'s subscription exactly like one that does not exist, and never asks the broker', async () => {
    const id = await subscribe(await alice(), parkingSubscription('/private'));
    const missing = 'urn:ngsi-ld:Subscription:does-not-exist';
    for (const [method, body] of [['GET', undefined], ['PATCH', { watchedAttributes: ['name'] }], ['DELETE', undefined]] as const) {
      const before = h.broker.requests.length;
      const other = await h.call(method, `${S}/${encodeURIComponent(id)}`, { token: await bob(), ...(body ? { body } : {}) });
      const none = await h.call(method, `${S}/${encodeURIComponent(missing)}`, { token: await bob(), ...(body ? { body } : {}) });
      expect(other.status, `${method} ${other.text}`).toBe(404);
      expect(none.status).toBe(404);
      const shape = (r: typeof other) => { const { requestId: _r, decisionId: _d, ...rest } = r.json(); return rest; };
      expect(shape(other)).toEqual(shape(none));
      expect(h.broker.requests.length).toBe(before);
    }
    expect(h.broker.subscription(id)).toBeDefined();
    expect(brokerSaw('DELETE', id)).toBe(false);
  });

  it('shows the owner its own endpoint, never the relay URL', async () => {
    const id = await subscribe(await alice(), parkingSubscription('/mine'));
    const res = await h.call('GET', `${S}/${encodeURIComponent(id)}`, { token: await alice() });
    expect(res.status).toBe(200);
    expect(res.json().notification.endpoint).toEqual({ uri: `${subscriberUrl}/mine`, accept: 'application/json', receiverInfo: [{ key: 'X-Api-Key', value: 'secret-of-mine' }] });
    expect(res.text).not.toContain('/relay/notify');
  });

  it('lets an operator see every subscription, with endpoints and receiverInfo hidden', async () => {
    const id = await subscribe(await alice(), parkingSubscription('/seen-by-operator'));
    const list = await h.call('GET', S, { token: await operator() });
    expect(list.status).toBe(200);
    const item = (list.json() as Array<{ id: string; notification: { endpoint: unknown } }>).find((s) => s.id === id)!;
    expect(item.notification.endpoint).toEqual({ uri: subscriberUrl, accept: 'application/json', receiverInfo: [{ key: 'X-Api-Key', value: '********' }] });
    const one = await h.call('GET', `${S}/${encodeURIComponent(id)}`, { token: await operator() });
    expect(one.status).toBe(200);
    for (const text of [list.text, one.text]) {
      expect(text).not.toContain('secret-of-seen-by-operator');
      expect(text).not.toContain('/relay/notify');
      expect(text).not.toContain('/seen-by-operator');
    }
    const patch = await h.call('PATCH', `${S}/${encodeURIComponent(id)}`, { token: await operator(), body: { notification: { attributes: ['status'], endpoint: { uri: `${subscriberUrl}/stolen` } } } });
    expect(patch.status).toBe(403);
  });

  it('deletes the owner\'s subscription at the broker and forgets its relay', async () => {
    const id = await subscribe(await alice(), parkingSubscription('/deleted'));
    const relay = new URL(h.broker.subscription(id)!.notification.endpoint.uri).pathname;
    const res = await h.call('DELETE', `${S}/${encodeURIComponent(id)}`, { token: await alice() });
    expect(res.status).toBe(204);
    expect(h.broker.subscription(id)).toBeUndefined();
    const late = await h.call('POST', relay, { body: { type: 'Notification', subscriptionId: id, data: [spot(4)] } });
    expect(late.status).toBe(404);
  });
});

describe('updates are decided on the merged subscription', () => {
  it('permits a patch that is fine together with what is stored, though it names no attributes itself', async () => {
    const id = await subscribe(await alice(), parkingSubscription('/format'));
    const res = await h.call('PATCH', `${S}/${encodeURIComponent(id)}`, { token: await alice(), body: { notification: { format: 'keyValues' } } });
    expect(res.status, res.text).toBe(204);
    const stored = h.broker.subscription(id)!;
    // the whole merged notification went to the broker, with a relay URL, never the subscriber's
    expect(stored.notification.attributes).toEqual(['status', 'name']);
    expect(stored.notification.endpoint.uri).toContain('/relay/notify/');
    expect(await h.broker.notify(id, [{ id: 'urn:ngsi-ld:ParkingSpot:5', type: 'ParkingSpot', status: 'free', ownerReference: 'urn:ngsi-ld:Person:alice' }])).toBe(204);
    expect(receivedAt('/format')[0]!.body.data).toEqual([{ id: 'urn:ngsi-ld:ParkingSpot:5', type: 'ParkingSpot', status: 'free' }]);
  });

  it('refuses a patch that is harmless alone but not with what is stored', async () => {
    const admin = await contractAdmin();
    expect((await h.call('PUT', '/admin/contracts/urn:test:traffic', { token: admin, body: trafficContract(['intensity']) })).status).toBeLessThan(300);
    try {
      const id = await subscribe(await alice(), parkingSubscription('/retype'));
      const before = h.broker.requests.length;
      // TrafficFlowObserved may be subscribed to, but not its status and name, which the stored subscription notifies
      const res = await h.call('PATCH', `${S}/${encodeURIComponent(id)}`, { token: await alice(), body: { entities: [{ type: 'TrafficFlowObserved' }] } });
      expect(res.status, res.text).toBe(403);
      expect(h.broker.requests.slice(before).some((r) => r.method === 'PATCH')).toBe(false);
      expect(h.broker.subscription(id)!.entities).toEqual([{ type: 'ParkingSpot' }]);
    } finally {
      await h.call('DELETE', '/admin/contracts/urn:test:traffic', { token: admin });
    }
  });

  it('refuses a patch that watches a forbidden attribute', async () => {
    const id = await subscribe(await alice(), parkingSubscription('/watch'));
    const res = await h.call('PATCH', `${S}/${encodeURIComponent(id)}`, { token: await alice(), body: { watchedAttributes: ['ownerReference'] } });
    expect(res.status).toBe(403);
    expect(h.broker.subscription(id)!.watchedAttributes).toEqual(['status']);
  });

  it('moves notifications to a new endpoint of the owner, with a new relay URL', async () => {
    const id = await subscribe(await alice(), parkingSubscription('/old'));
    const oldRelay = new URL(h.broker.subscription(id)!.notification.endpoint.uri).pathname;
    const res = await h.call('PATCH', `${S}/${encodeURIComponent(id)}`, { token: await alice(), body: { notification: { endpoint: { uri: `${subscriberUrl}/new` } } } });
    expect(res.status, res.text).toBe(204);
    expect(await h.broker.notify(id, [spot(6)])).toBe(204);
    expect(receivedAt('/new')).toHaveLength(1);
    expect(receivedAt('/old')).toHaveLength(0);
    const stale = await h.call('POST', oldRelay, { body: { type: 'Notification', subscriptionId: id, data: [spot(6)] } });
    expect(stale.status).toBe(404);
  });
});

describe('endpoints', () => {
  it('refuses link-local and metadata addresses even where loopback is allowed for tests', async () => {
    for (const uri of ['http://169.254.169.254/latest/meta-data', 'http://[fd00:ec2::254]/', 'http://100.100.100.200/', 'http://0.0.0.0:8080/', 'http://[::ffff:169.254.169.254]/']) {
      const res = await h.call('POST', S, { token: await alice(), body: { ...parkingSubscription('/x'), notification: { attributes: ['status'], endpoint: { uri } } } });
      expect(res.status, uri).toBe(400);
      expect(res.json().detail).toContain('not allowed');
    }
  });
});

describe('endpoints with production defaults', () => {
  let p: Harness;
  beforeAll(async () => {
    p = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-city') });
  });
  afterAll(async () => p?.close());

  const refused = [
    'https://169.254.169.254/latest/meta-data',
    'https://localhost:8443/x',
    'https://127.0.0.1/x',
    'https://127.1.2.3/x',
    'https://[::1]/x',
    'https://[fe80::1]/x',
    'https://10.0.0.5/x',
    'https://192.168.1.1/x',
    'https://[fd00:ec2::254]/',
    'http://203.0.113.10/x',
    'https://user:pw@203.0.113.10/x',
    'mqtt://203.0.113.10/x',
  ];
  for (const uri of refused) {
    it(`refuses ${uri} and the broker never hears of it`, async () => {
      const before = p.broker.requests.length;
      const res = await p.call('POST', S, { token: await token(p.issuer, { roles: ['viewer'] }), body: {
        type: 'Subscription', entities: [{ type: 'ParkingSpot' }], notification: { attributes: ['status'], endpoint: { uri } },
      } });
      expect(res.status).toBe(400);
      expect(res.text).not.toContain('pw@');
      expect(p.broker.requests.length).toBe(before);
    });
  }

  it('accepts a public https endpoint', async () => {
    const res = await p.call('POST', S, { token: await token(p.issuer, { roles: ['viewer'] }), body: {
      type: 'Subscription', entities: [{ type: 'ParkingSpot' }], notification: { attributes: ['status'], endpoint: { uri: 'https://203.0.113.10/hook' } },
    } });
    expect(res.status, res.text).toBe(201);
  });
});
