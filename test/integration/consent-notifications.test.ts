/**
 * Subscriptions on consent-bound data, end to end: the supplier app subscribes through the
 * real gateway over HTTPS on a token resting on citizens' consents; the in-memory broker
 * posts real notifications to the gateway's relay; the relay reads the consents as they
 * stand at each delivery and delivers to the app's own HTTP server only what each
 * entity's data subject still consents to. Each case tries to receive more than that.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startHarness, REPO, type Harness } from '../helpers/harness.js';
import { consentActors, meter, TO_SUPPLIER } from '../helpers/consent.js';
import { startSubscriber, type Subscriber } from '../helpers/subscriber.js';
import { openSqlite } from '../../src/store/index.js';
import { SqliteAuditQuery } from '../../src/store/sqlite-audit-query.js';
import { accessesOf } from '../../src/wallet/index.js';

const S = '/ngsi-ld/v1/subscriptions';
const ALICE = 'urn:ngsi-ld:Person:alice';
const BOB = 'urn:ngsi-ld:Person:bob';
const ALICE_METER = meter('urn:ngsi-ld:EnergyMeter:alice', ALICE);
const BOB_METER = meter('urn:ngsi-ld:EnergyMeter:bob', BOB);

let h: Harness;
let endpoint: Subscriber;
const { app, citizen, give, withdraw } = consentActors(() => h);

function meterSubscription(path: string, attributes = ['totalActiveEnergyImport', 'owner']) {
  return {
    type: 'Subscription',
    entities: [{ type: 'EnergyMeter' }],
    watchedAttributes: ['totalActiveEnergyImport'],
    notification: { attributes, format: 'normalized', endpoint: { uri: `${endpoint.url}${path}`, accept: 'application/json' } },
  };
}

async function subscribe(tokenValue: string, body: unknown): Promise<string> {
  const res = await h.call('POST', S, { token: tokenValue, body });
  expect(res.status, res.text).toBe(201);
  const location = res.headers.location as string;
  return decodeURIComponent(location.slice(location.lastIndexOf('/') + 1));
}

async function consent(sub: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await give(sub, { ...TO_SUPPLIER, ...extra });
  expect(res.status, JSON.stringify(res.json())).toBe(201);
  return res.json().id as string;
}

function notifyAudit(): Array<{ effect: string; reason: string; targets: string }> {
  const db = new Database(h.config.store.path, { readonly: true });
  try {
    return db.prepare("SELECT effect, reason, targets FROM audit_records WHERE operation = 'subscription.notify' ORDER BY seq").all() as never;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  endpoint = await startSubscriber();
  h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-consent'),
    // The app's server is plain HTTP on loopback: allowed here only, for the test.
    subscriptions: { endpoints: { allowSchemes: ['https', 'http'], allowLoopback: true } },
  });
  h.broker.trust(h.ca);
});

afterAll(async () => {
  await h?.close();
  await endpoint?.close();
});

describe('a subscription resting on a citizen\'s consent', () => {
  it('receives the consenting citizen\'s meter, and nothing of another citizen\'s in the same notification', async () => {
    const id = await subscribe(await app([await consent('alice')]), meterSubscription('/both'));
    expect(await h.broker.notify(id, [ALICE_METER, BOB_METER])).toBe(204);
    const got = endpoint.at('/both');
    expect(got).toHaveLength(1);
    expect(got[0]!.body.data).toEqual([{
      id: ALICE_METER.id, type: 'EnergyMeter', owner: ALICE_METER.owner, totalActiveEnergyImport: ALICE_METER.totalActiveEnergyImport,
    }]);
    expect(JSON.stringify(got[0]!.body)).not.toContain(BOB);
    // Only another citizen's meter: nothing is delivered.
    expect(await h.broker.notify(id, [BOB_METER])).toBe(204);
    expect(endpoint.at('/both')).toHaveLength(1);
  });

  it('runs the whole loop: a meter reports to the broker, the broker notifies, the app gets its consenting citizen\'s reading', async () => {
    await subscribe(await app([await consent('alice')]), meterSubscription('/loop'));
    h.broker.seed(ALICE_METER);
    h.broker.seed(BOB_METER);
    // The meters report straight to the broker, as devices behind the city's platform do.
    const report = async (id: string, value: number) => fetch(`${h.broker.url}/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ totalActiveEnergyImport: { type: 'Property', value } }),
    });
    expect((await report(ALICE_METER.id, 2000)).status).toBe(204);
    expect((await report(BOB_METER.id, 3000)).status).toBe(204);
    const got = endpoint.at('/loop');
    expect(got.map((n) => n.body.data)).toEqual([[{ id: ALICE_METER.id, type: 'EnergyMeter', owner: ALICE_METER.owner, totalActiveEnergyImport: { type: 'Property', value: 2000 } }]]);
    const last = notifyAudit().at(-1)!;
    expect([last.effect, last.reason]).toEqual(['permit', 'notification_empty']);
  });

  it('names whose data a notification released, so the citizen finds it among the reads of their data', async () => {
    const DORA = 'urn:ngsi-ld:Person:dora';
    const DORA_METER = meter('urn:ngsi-ld:EnergyMeter:dora', DORA);
    const given = await consent('dora');
    const id = await subscribe(await app([given]), meterSubscription('/history'));
    expect(await h.broker.notify(id, [DORA_METER, BOB_METER])).toBe(204);
    expect(endpoint.at('/history')).toHaveLength(1);
    // As the wallet reads them: the records naming her as the data subject, one access per exchange.
    const db = openSqlite(h.config.store.path, { readonly: true });
    try {
      const records = new SqliteAuditQuery(db, { subject: DORA }).newest(50);
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((r) => r.operation === 'subscription.notify' && r.effect === 'permit')).toBe(true);
      const released = records.at(-1)!.released!;
      expect(released.consents).toEqual([given]);
      expect(released.purpose).toBe('dpv:ServiceProvision');
      expect(released.subjects).toEqual([{
        id: DORA, types: ['https://uri.etsi.org/ngsi-ld/default-context/EnergyMeter'],
        attrs: ['https://uri.etsi.org/ngsi-ld/default-context/owner', 'https://uri.etsi.org/ngsi-ld/default-context/totalActiveEnergyImport'],
      }]);
      const accesses = accessesOf(records, DORA);
      expect(accesses).toHaveLength(1);
      expect(accesses[0]).toMatchObject({ purpose: 'dpv:ServiceProvision', types: released.subjects[0]!.types });
      // Bob's meter was cut out of the notification: nothing of it names him.
      expect(new SqliteAuditQuery(db, { subject: BOB }).newest(50).filter((r) => r.operation === 'subscription.notify')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('stops at the next notification once the citizen withdraws, though the subscription still exists', async () => {
    const given = await consent('alice');
    const id = await subscribe(await app([given]), meterSubscription('/withdrawn'));
    expect(await h.broker.notify(id, [ALICE_METER])).toBe(204);
    expect(endpoint.at('/withdrawn')).toHaveLength(1);

    expect((await withdraw('alice', given)).status).toBe(200);
    // Answered as delivered, so the broker does not send it again; nothing reaches the app.
    expect(await h.broker.notify(id, [ALICE_METER, BOB_METER])).toBe(204);
    expect(endpoint.at('/withdrawn')).toHaveLength(1);
    expect(h.broker.subscription(id)).toBeDefined();
    const last = notifyAudit().at(-1)!;
    expect([last.effect, last.reason]).toEqual(['deny', 'notification_consent_lapsed']);
    expect(last.targets).not.toContain('EnergyMeter:alice');

    // The app, on a token resting on no consent, still sees and deletes what it made.
    const plain = await app([]);
    const shown = await h.call('GET', `${S}/${encodeURIComponent(id)}`, { token: plain });
    expect(shown.status, shown.text).toBe(200);
    expect(shown.json().notification.endpoint.uri).toBe(`${endpoint.url}/withdrawn`);
    expect((await h.call('DELETE', `${S}/${encodeURIComponent(id)}`, { token: plain })).status).toBe(204);
    expect(h.broker.subscription(id)).toBeUndefined();
  });

  it('keeps delivering what the consents still in force cover: one citizen withdraws, the other\'s meter still goes out', async () => {
    const alice = await consent('alice');
    const bob = await consent('bob');
    const id = await subscribe(await app([alice, bob]), meterSubscription('/two'));
    expect(await h.broker.notify(id, [ALICE_METER, BOB_METER])).toBe(204);
    expect(endpoint.at('/two')[0]!.body.data.map((e: { id: string }) => e.id)).toEqual([ALICE_METER.id, BOB_METER.id]);

    expect((await withdraw('alice', alice)).status).toBe(200);
    expect(await h.broker.notify(id, [ALICE_METER, BOB_METER])).toBe(204);
    const after = endpoint.at('/two');
    expect(after).toHaveLength(2);
    expect(after[1]!.body.data.map((e: { id: string }) => e.id)).toEqual([BOB_METER.id]);
    expect(JSON.stringify(after[1]!.body)).not.toContain(ALICE);
  });

  it('a consent for one purpose does not let a subscription made for another receive', async () => {
    const given = await consent('alice');
    const res = await h.call('POST', S, { token: await app([given], 'dpv:CustomerManagement'), body: meterSubscription('/other-purpose') });
    expect(res.status).toBe(403);
    expect(res.json().reason).toBe('consent_required');
    expect(h.broker.requests.some((r) => r.method === 'POST' && r.url === S && r.body.includes('/other-purpose'))).toBe(false);

    // Bob consented for marketing only: a subscription for service provision never carries his meter.
    const bobMarketing = await consent('bob', { purposes: ['dpv:Marketing'] });
    const id = await subscribe(await app([given, bobMarketing]), meterSubscription('/purpose-mixed'));
    expect(await h.broker.notify(id, [ALICE_METER, BOB_METER])).toBe(204);
    expect(endpoint.at('/purpose-mixed')[0]!.body.data.map((e: { id: string }) => e.id)).toEqual([ALICE_METER.id]);
  });

  it('stops once the consent has expired, and the expiry is recorded', async () => {
    const validUntil = Date.now() + 1500;
    const given = await consent('alice', { validUntil: new Date(validUntil).toISOString() });
    const id = await subscribe(await app([given]), meterSubscription('/expiring'));
    expect(await h.broker.notify(id, [ALICE_METER])).toBe(204);
    expect(endpoint.at('/expiring')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, Math.max(0, validUntil - Date.now()) + 50));
    expect(await h.broker.notify(id, [ALICE_METER])).toBe(204);
    expect(endpoint.at('/expiring')).toHaveLength(1);
    expect(notifyAudit().at(-1)!.reason).toBe('notification_consent_lapsed');
    const record = await h.call('GET', `/consents/${encodeURIComponent(given)}`, { token: await citizen('alice') });
    expect(record.json()).toMatchObject({ status: 'expired', events: [{ event: 'given' }, { event: 'expired' }] });
  });

  it('must carry the data-subject attribute in its notifications, or no entity could be told apart', async () => {
    const res = await h.call('POST', S, { token: await app([await consent('alice')]), body: meterSubscription('/no-owner', ['totalActiveEnergyImport']) });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ reason: 'subscription_subject_attribute_required', attribute: 'owner' });
  });

  it('an update is decided on the consents of the token that makes it', async () => {
    const given = await consent('alice');
    const t = await app([given]);
    const id = await subscribe(t, meterSubscription('/update'));
    const patch = await h.call('PATCH', `${S}/${encodeURIComponent(id)}`, { token: t, body: { watchedAttributes: ['owner'] } });
    expect(patch.status, patch.text).toBe(204);
    expect((await withdraw('alice', given)).status).toBe(200);
    const refused = await h.call('PATCH', `${S}/${encodeURIComponent(id)}`, { token: await app([]), body: { watchedAttributes: ['totalActiveEnergyImport'] } });
    expect(refused.status).toBe(403);
    expect(refused.json().reason).toBe('consent_required');
  });
});
