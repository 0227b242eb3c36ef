/**
 * Two real gateway instances on one PostgreSQL database, as a deployment scales out: the
 * same broker, issuer and keys, a data folder each. A consent withdrawn through one is
 * refused by the other; a contract replaced or deleted through one is enforced by the
 * other; `mimtrust audit verify` checks both instances' chain segments, and finds a row
 * altered in either, or a data-subject index row deleted or forged. Needs MIMTRUST_TEST_POSTGRES_URL; the CLI part needs `npm run build`.
 */
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { freshSchema, havePostgres, warnIfNoPostgres, type TestSchema } from '../helpers/postgres.js';
import { runCli } from '../helpers/cli.js';
import { issueLocalToken, LOCAL_ISSUER_KEY_NAME } from '../../src/issuer/index.js';
import { loadOrCreateSigningKey } from '../../src/keys/index.js';
import { readInstanceId } from '../../src/store/index.js';
import { startSubscriber, type Subscriber } from '../helpers/subscriber.js';
import { eventually } from '../helpers/eventually.js';

warnIfNoPostgres('two gateway instances on PostgreSQL');

const E = '/ngsi-ld/v1/entities';
const ALICE_METER = 'urn:ngsi-ld:EnergyMeter:alice';

const busContract = (type: string) => ({
  '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
  '@type': 'Set',
  uid: 'urn:test:shared',
  profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
  permission: [{
    uid: 'urn:test:shared:read',
    target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: type }] },
    action: 'ngsi:read',
  }],
});

describe.skipIf(!havePostgres())('two gateway instances on one PostgreSQL database', () => {
  let schema: TestSchema;
  let a: Harness;
  let b: Harness;
  let endpoint: Subscriber;

  beforeAll(async () => {
    schema = await freshSchema();
    endpoint = await startSubscriber();
    const settings = {
      store: { url: schema.url }, contractsDir: join(REPO, 'test', 'fixtures', 'contracts-consent'),
      // The subscriber's server is plain HTTP on loopback: allowed here only, for the test.
      subscriptions: { endpoints: { allowSchemes: ['https', 'http'], allowLoopback: true } },
    };
    a = await startHarness(settings);
    b = await startHarness(settings, { alongside: a });
    a.broker.seed({
      id: ALICE_METER, type: 'EnergyMeter',
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:alice' },
      totalActiveEnergyImport: { type: 'Property', value: 1234.5 },
    });
    a.broker.seed({ id: 'urn:ngsi-ld:Bus:1', type: 'Bus', name: { type: 'Property', value: 'one' } });
    a.broker.seed({ id: 'urn:ngsi-ld:Tram:1', type: 'Tram', name: { type: 'Property', value: 'one' } });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await endpoint?.close();
    await schema?.drop();
  });

  it('both are ready, the change feed listening, and each writes its own audit segment', async () => {
    for (const h of [a, b]) {
      const ready = await h.call('GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.json().checks).toMatchObject({ store: 'ok', changes: 'ok' });
    }
    const instances = await schema.query<{ instance: string }>('SELECT DISTINCT instance FROM audit_records ORDER BY 1');
    expect(instances).toHaveLength(0);
    await a.call('GET', `${E}?type=Bus`, { token: await token(a.issuer) });
    await b.call('GET', `${E}?type=Bus`, { token: await token(b.issuer) });
    expect(await schema.query('SELECT DISTINCT instance FROM audit_records')).toHaveLength(2);
  });

  it('a consent withdrawn on one instance refuses the token on the other', async () => {
    const given = await a.call('POST', '/consents', {
      token: await token(a.issuer, { sub: 'alice', roles: [], extra: { scope: 'consents' } }),
      body: { recipient: 'supplier-app', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'EnergyMeter', attributes: ['totalActiveEnergyImport', 'owner'] }] },
    });
    expect(given.status).toBe(201);
    const id = given.json().id as string;
    const key = await loadOrCreateSigningKey(a.config.keysDir, LOCAL_ISSUER_KEY_NAME);
    const app = await issueLocalToken(key, a.config.localIssuer, { sub: 'supplier-app', roles: ['viewer'], purpose: 'dpv:ServiceProvision', consents: [id], ttlSec: 300 });
    const read = (): ReturnType<Harness['call']> => b.call('GET', `${E}/${encodeURIComponent(ALICE_METER)}`, { token: app });
    // B keeps the record in memory once read: the withdrawal must reach it.
    expect((await read()).status).toBe(200);
    expect((await read()).status).toBe(200);
    const withdrawn = await a.call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, { token: await token(a.issuer, { sub: 'alice', roles: [], extra: { scope: 'consents' } }) });
    expect(withdrawn.status).toBe(200);
    const after = await eventually(read, (r) => r.status === 401);
    expect(after.status).toBe(401);
    expect(after.json().reason).toBe('consent_withdrawn');
  });

  it('a subscription changed or deleted on one instance is relayed as it is now by the other, which kept it in memory', async () => {
    const citizen = await token(a.issuer, { sub: 'alice', roles: [], extra: { scope: 'consents' } });
    const given = await a.call('POST', '/consents', {
      token: citizen,
      body: { recipient: 'supplier-app', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'EnergyMeter', attributes: ['totalActiveEnergyImport', 'owner'] }] },
    });
    expect(given.status).toBe(201);
    const key = await loadOrCreateSigningKey(a.config.keysDir, LOCAL_ISSUER_KEY_NAME);
    const app = await issueLocalToken(key, a.config.localIssuer, { sub: 'supplier-app', roles: ['viewer'], purpose: 'dpv:ServiceProvision', consents: [given.json().id], ttlSec: 300 });
    const made = await a.call('POST', '/ngsi-ld/v1/subscriptions', {
      token: app,
      body: {
        type: 'Subscription', entities: [{ type: 'EnergyMeter' }], watchedAttributes: ['totalActiveEnergyImport'],
        notification: { attributes: ['totalActiveEnergyImport', 'owner'], format: 'normalized', endpoint: { uri: `${endpoint.url}/first`, accept: 'application/json' } },
      },
    });
    expect(made.status, made.text).toBe(201);
    const id = decodeURIComponent(String(made.headers.location).split('/').pop()!);
    const meter = { id: ALICE_METER, type: 'EnergyMeter', owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:alice' }, totalActiveEnergyImport: { type: 'Property', value: 1 } };
    // The broker's notification, posted to B's relay under the relay URL the broker holds now.
    let sent = 0;
    const notifyB = async (): Promise<number> => {
      const relay = new URL(String(a.broker.subscription(id)!.notification.endpoint.uri));
      const res = await b.call('POST', relay.pathname, { body: { id: `urn:ngsi-ld:Notification:${++sent}`, type: 'Notification', subscriptionId: id, notifiedAt: new Date().toISOString(), data: [meter] } });
      return res.status;
    };
    expect(await notifyB()).toBe(204);
    expect(await notifyB()).toBe(204);
    expect(endpoint.at('/first')).toHaveLength(2);
    const oldRelay = String(a.broker.subscription(id)!.notification.endpoint.uri);

    const patched = await a.call('PATCH', `/ngsi-ld/v1/subscriptions/${encodeURIComponent(id)}`, {
      token: app, body: { notification: { endpoint: { uri: `${endpoint.url}/second`, accept: 'application/json' } } },
    });
    expect(patched.status, patched.text).toBe(204);
    await eventually(async () => { await notifyB(); return endpoint.at('/second').length; }, (n) => n > 0);
    expect(endpoint.at('/second').length).toBeGreaterThan(0);
    const firstBefore = endpoint.at('/first').length;
    expect(await notifyB()).toBe(204);
    expect(endpoint.at('/first')).toHaveLength(firstBefore);

    expect((await a.call('DELETE', `/ngsi-ld/v1/subscriptions/${encodeURIComponent(id)}`, { token: app })).status).toBe(204);
    const relayOf = (uri: string): Promise<number> => b.call('POST', new URL(uri).pathname, {
      body: { id: 'urn:ngsi-ld:Notification:gone', type: 'Notification', subscriptionId: id, notifiedAt: new Date().toISOString(), data: [meter] },
    }).then((r) => r.status);
    expect(await eventually(() => relayOf(oldRelay), (s) => s === 404)).toBe(404);
  });

  it('a contract replaced on one instance is enforced on the other, and a deleted one no longer grants there', async () => {
    const admin = await token(a.issuer, { roles: ['contract-admin'] });
    const viewer = await token(b.issuer, { roles: ['viewer'] });
    const onB = (type: string): Promise<number> => b.call('GET', `${E}?type=${type}`, { token: viewer }).then((r) => r.status);
    expect(await onB('Bus')).toBe(403);
    expect((await a.call('POST', '/admin/contracts', { token: admin, body: busContract('Bus') })).status).toBe(201);
    expect(await eventually(() => onB('Bus'), (s) => s === 200)).toBe(200);
    expect((await a.call('PUT', `/admin/contracts/${encodeURIComponent('urn:test:shared')}`, { token: admin, body: busContract('Tram') })).status).toBe(200);
    expect(await eventually(() => onB('Bus'), (s) => s === 403)).toBe(403);
    expect(await onB('Tram')).toBe(200);
    const listed = (await b.call('GET', '/admin/contracts', { token: await token(b.issuer, { roles: ['contract-admin'] }) })).json() as Array<{ uid: string }>;
    expect(listed.map((c) => c.uid)).toContain('urn:test:shared');
    expect((await a.call('DELETE', `/admin/contracts/${encodeURIComponent('urn:test:shared')}`, { token: admin })).status).toBe(204);
    expect(await eventually(() => onB('Tram'), (s) => s === 403)).toBe(403);
  });

  it('audit verify holds each instance\'s data-subject index to its records: a row deleted or forged is named', async () => {
    const config = join(a.dir, 'mimtrust.json');
    const onB = readInstanceId(null, dirname(b.config.store.path));
    const onA = readInstanceId(null, dirname(a.config.store.path));
    // B released Alice's data in the consent test above.
    const [row] = await schema.query<{ seq: number; subject: string }>('SELECT seq, subject FROM audit_data_subjects WHERE instance = $1 ORDER BY seq LIMIT 1', [onB]);
    expect(row).toMatchObject({ subject: 'urn:ngsi-ld:Person:alice' });
    await schema.tamper('DELETE FROM audit_data_subjects WHERE instance = $1 AND seq = $2', [onB, row!.seq]);
    const hidden = await runCli(['audit', 'verify', '--config', config]);
    expect(hidden.code).toBe(1);
    expect(hidden.stdout).toContain(`instance ${onB}: audit log BROKEN at record ${row!.seq}: subject_index: the data-subject index lacks "urn:ngsi-ld:Person:alice" at record ${row!.seq}`);
    await schema.tamper('INSERT INTO audit_data_subjects (subject, instance, seq) VALUES ($1, $2, $3)', [row!.subject, onB, row!.seq]);
    // A forged row on A, at a record that released nobody's data.
    await schema.tamper("INSERT INTO audit_data_subjects (subject, instance, seq) VALUES ('urn:ngsi-ld:Person:bob', $1, 1)", [onA]);
    const forged = await runCli(['audit', 'verify', '--config', config]);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toContain(`instance ${onA}: audit log BROKEN at record 1: subject_index: the data-subject index names "urn:ngsi-ld:Person:bob" at record 1`);
    expect(forged.stdout).toContain(`instance ${onB}: audit log intact`);
    await schema.tamper("DELETE FROM audit_data_subjects WHERE instance = $1 AND subject = 'urn:ngsi-ld:Person:bob'", [onA]);
  });

  it('audit verify checks every instance\'s segment, and names the one with an altered row', async () => {
    const config = join(a.dir, 'mimtrust.json');
    const good = await runCli(['audit', 'verify', '--config', config]);
    expect(good.stdout).toMatch(/^instance i-[0-9a-f]{12}: audit log intact: \d+ records/m);
    expect(good.stdout.match(/audit log intact/g)).toHaveLength(2);
    expect(good.code).toBe(0);
    // B's segment, verified with A's configuration: every segment is checked, not only its own.
    const victim = readInstanceId(null, dirname(b.config.store.path));
    await schema.tamper("UPDATE audit_records SET reason = 'allowed' WHERE instance = $1 AND seq = 1", [victim]);
    const bad = await runCli(['audit', 'verify', '--config', config]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`instance ${victim}: audit log BROKEN at record 1`);
    expect(bad.stdout.match(/audit log intact/g)).toHaveLength(1);
    // The SQLite-only commands say so rather than open an empty file beside the deployment.
    const list = await runCli(['audit', 'list', '--config', config]);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain('"store.url": audit list, tail and export read the SQLite store only');
  });
});
