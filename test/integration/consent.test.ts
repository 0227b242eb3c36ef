/**
 * Citizen consent end to end: the real gateway over HTTPS, its SQLite store, the in-memory
 * broker and a contract whose permission needs the data subject's consent. A citizen gives
 * consent through the API; an app's token from the local issuer names it; each attack
 * tries to read or change more than that consent covers.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { consentActors, DPV, meter, TO_SUPPLIER } from '../helpers/consent.js';
import { openSqlite, SqliteAuditStore } from '../../src/store/index.js';

const E = '/ngsi-ld/v1/entities';
const ALICE_METER = 'urn:ngsi-ld:EnergyMeter:alice';
const BOB_METER = 'urn:ngsi-ld:EnergyMeter:bob';
let h: Harness;
const { citizen, app, give } = consentActors(() => h);

async function consentAudit(): Promise<Array<{ operation: string; consent?: { id: string; event: string; subject: string; recipient: string; purposes: string[] } }>> {
  const db = openSqlite(h.config.store.path, { readonly: true });
  try {
    return (await new SqliteAuditStore(db).readRange(1, 100_000)).filter((r) => r.consent !== undefined) as never;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  h = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-consent') });
  h.broker.seed(meter(ALICE_METER, 'urn:ngsi-ld:Person:alice'));
  h.broker.seed(meter(BOB_METER, 'urn:ngsi-ld:Person:bob'));
});

afterAll(async () => {
  await h?.close();
});

describe('consent given through the API, used by an app', () => {
  let id: string;

  beforeAll(async () => {
    const res = await give('alice', TO_SUPPLIER);
    expect(res.status).toBe(201);
    id = res.json().id;
  });

  it('the record names the caller as data subject, with expanded names and dpv:Consent', async () => {
    const res = await h.call('GET', `/consents/${encodeURIComponent(id)}`, { token: await citizen('alice') });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      id, status: 'given', recipient: 'supplier-app', purposes: [`${DPV}ServiceProvision`], legalBasis: `${DPV}Consent`,
      dataSubject: { sub: 'alice', id: 'urn:ngsi-ld:Person:alice' },
      personalData: [{ type: 'https://uri.etsi.org/ngsi-ld/default-context/EnergyMeter' }],
      events: [{ event: 'given' }],
    });
  });

  it('the app reads the consenting citizen\'s meter, only the attributes consented to', async () => {
    const res = await h.call('GET', `${E}/${encodeURIComponent(ALICE_METER)}`, { token: await app([id]) });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      id: ALICE_METER, type: 'EnergyMeter',
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:alice' },
      totalActiveEnergyImport: { type: 'Property', value: 1234.5 },
    });
  });

  it('another citizen\'s meter read by id answers like a missing one', async () => {
    const other = await h.call('GET', `${E}/${encodeURIComponent(BOB_METER)}`, { token: await app([id]) });
    const missing = await h.call('GET', `${E}/${encodeURIComponent('urn:ngsi-ld:EnergyMeter:nobody')}`, { token: await app([id]) });
    expect([other.status, missing.status]).toEqual([404, 404]);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined, decisionId: undefined });
    expect(strip(other.json())).toEqual(strip(missing.json()));
  });

  it('a query over two citizens\' meters returns the consented one, with an exact count', async () => {
    const res = await h.call('GET', `${E}?type=EnergyMeter&count=true`, { token: await app([id]) });
    expect(res.status).toBe(200);
    expect(res.json().map((e: { id: string }) => e.id)).toEqual([ALICE_METER]);
    expect(res.headers['ngsild-results-count']).toBe('1');
  });

  it('a projection leaving out the owner still finds it, and does not show it', async () => {
    const res = await h.call('GET', `${E}?type=EnergyMeter&attrs=totalActiveEnergyImport`, { token: await app([id]) });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([{ id: ALICE_METER, type: 'EnergyMeter', totalActiveEnergyImport: { type: 'Property', value: 1234.5 } }]);
  });

  it('a consent for one purpose is no consent for another', async () => {
    const res = await h.call('GET', `${E}?type=EnergyMeter`, { token: await app([id], 'dpv:ServiceOptimisation') });
    expect(res.status).toBe(200); // narrower than ServiceProvision: covered
    const other = await h.call('GET', `${E}?type=EnergyMeter`, { token: await app([id], 'dpv:CustomerManagement') });
    expect(other.status).toBe(403);
  });

  it('a consent given to another recipient covers nothing for this app', async () => {
    const res = await give('alice', { ...TO_SUPPLIER, recipient: 'other-app' });
    const other = res.json().id as string;
    const read = await h.call('GET', `${E}/${encodeURIComponent(ALICE_METER)}`, { token: await app([other]) });
    expect(read.status).toBe(403);
    expect(read.json().reason).toBe('consent_required');
  });
});

describe('a citizen\'s records are theirs alone', () => {
  let id: string;

  beforeAll(async () => {
    id = (await give('alice', TO_SUPPLIER)).json().id;
  });

  it('another citizen cannot see, list, export or withdraw them', async () => {
    const bob = await citizen('bob');
    expect((await h.call('GET', `/consents/${encodeURIComponent(id)}`, { token: bob })).status).toBe(404);
    expect((await h.call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, { token: bob })).status).toBe(404);
    expect((await h.call('GET', '/consents', { token: bob })).json()).toEqual([]);
    expect((await h.call('GET', '/consents/export', { token: bob })).json().records).toEqual([]);
    // Still given.
    const mine = await h.call('GET', `/consents/${encodeURIComponent(id)}`, { token: await citizen('alice') });
    expect(mine.json().status).toBe('given');
  });

  it('the body cannot name another data subject', async () => {
    const res = await give('bob', { ...TO_SUPPLIER, dataSubject: { sub: 'alice', id: 'urn:ngsi-ld:Person:alice' } });
    expect(res.status).toBe(400);
    expect(res.json().detail).not.toContain('alice');
    expect((await h.call('GET', '/consents', { token: await citizen('bob') })).json()).toEqual([]);
  });

  it('a citizen\'s consent does not open another citizen\'s entity', async () => {
    const bobs = (await give('bob', { ...TO_SUPPLIER, personalData: [{ type: 'EnergyMeter' }] })).json().id as string;
    // Alice's consent and Bob's together: each meter shows what its own owner consented to.
    const res = await h.call('GET', `${E}?type=EnergyMeter`, { token: await app([id, bobs]) });
    const shown = Object.fromEntries(res.json().map((e: { id: string }) => [e.id, Object.keys(e).sort()]));
    expect(shown[ALICE_METER]).toEqual(['id', 'owner', 'totalActiveEnergyImport', 'type']);
    expect(shown[BOB_METER]).toEqual(['id', 'owner', 'serialNumber', 'totalActiveEnergyImport', 'type']);
  });

  it('the API needs a valid token', async () => {
    expect((await h.call('GET', '/consents')).status).toBe(401);
    expect((await h.call('POST', '/consents', { token: 'not-a-token', body: TO_SUPPLIER })).status).toBe(401);
  });

  it("an app's token for the citizen, without the API's scope, can neither list, give, export nor withdraw", async () => {
    const id = (await give('alice', TO_SUPPLIER)).json().id as string;
    const appForAlice = await token(h.issuer, { sub: 'alice', roles: ['viewer'], extra: { scope: 'openid read' } });
    const calls = [
      h.call('GET', '/consents', { token: appForAlice }),
      h.call('GET', '/consents/export', { token: appForAlice }),
      h.call('GET', `/consents/${encodeURIComponent(id)}`, { token: appForAlice }),
      h.call('POST', '/consents', { token: appForAlice, body: { ...TO_SUPPLIER, purposes: ['dpv:Marketing'] } }),
      h.call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, { token: appForAlice }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(403);
      expect(res.json().reason).toBe('consent_scope_missing');
    }
    const mine = (await h.call('GET', `/consents/${encodeURIComponent(id)}`, { token: await citizen('alice') })).json();
    expect(mine.status).toBe('given');
    const list = (await h.call('GET', '/consents', { token: await citizen('alice') })).json() as Array<{ purposes: string[] }>;
    expect(list.some((c) => c.purposes.some((p) => p.endsWith('Marketing')))).toBe(false);
  });
});

describe('withdrawal', () => {
  it('refuses the same unexpired token on its very next request, and is on the audit log', async () => {
    const id = (await give('alice', TO_SUPPLIER)).json().id as string;
    const t = await app([id]);
    expect((await h.call('GET', `${E}/${encodeURIComponent(ALICE_METER)}`, { token: t })).status).toBe(200);
    const w = await h.call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, { token: await citizen('alice') });
    expect(w.status).toBe(200);
    expect(w.json()).toMatchObject({ status: 'withdrawn', events: [{ event: 'given' }, { event: 'withdrawn' }] });
    const next = await h.call('GET', `${E}/${encodeURIComponent(ALICE_METER)}`, { token: t });
    expect(next.status).toBe(401);
    expect(next.json()).toMatchObject({ code: 'INVALID_TOKEN', reason: 'consent_withdrawn' });
    expect(next.headers['www-authenticate']).toContain('invalid_token');

    const audit = await consentAudit();
    const mine = audit.filter((r) => r.consent?.id === id).map((r) => [r.operation, r.consent?.event]);
    expect(mine).toEqual([['consent.given', 'given'], ['consent.withdrawn', 'withdrawn']]);
    const given = audit.find((r) => r.consent?.id === id)!;
    expect(given.consent).toEqual({ id, event: 'given', subject: 'urn:ngsi-ld:Person:alice', recipient: 'supplier-app', purposes: [`${DPV}ServiceProvision`] });
    // No attribute value reaches the audit log.
    expect(JSON.stringify(audit)).not.toContain('1234.5');
  });

  it('a token naming a consent that does not exist is refused', async () => {
    const res = await h.call('GET', `${E}/${encodeURIComponent(ALICE_METER)}`, { token: await app(['urn:uuid:00000000-0000-4000-8000-000000000000']) });
    expect(res.status).toBe(401);
    expect(res.json().reason).toBe('consent_unknown');
  });

  it('the export holds every record with its events', async () => {
    const res = await h.call('GET', '/consents/export', { token: await citizen('alice') });
    expect(res.status).toBe(200);
    const doc = res.json();
    expect(doc.dataSubject).toMatchObject({ sub: 'alice', id: 'urn:ngsi-ld:Person:alice' });
    expect(doc.records.length).toBeGreaterThanOrEqual(4);
    expect(doc.records.some((r: { status: string; events: unknown[] }) => r.status === 'withdrawn' && r.events.length === 2)).toBe(true);
  });
});

describe('history under consent', () => {
  const T = '/ngsi-ld/v1/temporal/entities';
  const at = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
  const times = (entity: Record<string, Array<{ observedAt: string }>>, attr: string) => entity[attr]?.map((i) => i.observedAt);

  it('a temporal query reaching before the consent sees only what was observed since, of the consenting citizen only', async () => {
    const record = (await give('alice', TO_SUPPLIER)).json();
    h.broker.history([at(record.givenAt, -3_600_000), at(record.givenAt, -1), record.givenAt, at(record.givenAt, 1000)]);
    const t = await app([record.id]);
    const res = await h.call('GET', `${T}?type=EnergyMeter&timerel=after&timeAt=2020-01-01T00:00:00Z`, { token: t });
    expect(res.status, res.text).toBe(200);
    const [meter, ...others] = res.json();
    expect(others).toEqual([]);
    expect(meter.id).toBe(ALICE_METER);
    expect(Object.keys(meter).sort()).toEqual(['id', 'owner', 'totalActiveEnergyImport', 'type']);
    expect(times(meter, 'totalActiveEnergyImport')).toEqual([record.givenAt, at(record.givenAt, 1000)]);
    expect(times(meter, 'owner')).toEqual([record.givenAt, at(record.givenAt, 1000)]);

    expect((await h.call('GET', `${T}/${encodeURIComponent(BOB_METER)}`, { token: t })).status).toBe(404);
    // Nothing since the consent: the meter answers as missing.
    h.broker.history([at(record.givenAt, -1)]);
    expect((await h.call('GET', `${T}/${encodeURIComponent(ALICE_METER)}`, { token: t })).status).toBe(404);
    // The broker counts entities whatever their history: the count is refused, not guessed.
    const counted = await h.call('GET', `${T}?type=EnergyMeter&count=true`, { token: t });
    expect(counted.status).toBe(403);
    expect(counted.json()).toMatchObject({ reason: 'count_not_exact' });
    expect(counted.json().detail).toContain('exact count');
    const batch = await h.call('POST', '/ngsi-ld/v1/temporal/entityOperations/query', { token: t, body: { type: 'Query', entities: [{ type: 'EnergyMeter' }] } });
    expect(batch.status).toBe(403);
    expect(batch.json()).toMatchObject({ reason: 'consent_not_enforceable' });
    expect(batch.json().detail).toContain('only as entities or their history');
  });

  it('after a withdrawal and a new consent, nothing from before the new one is seen: neither the gap nor the old consent\'s time', async () => {
    const first = (await give('alice', TO_SUPPLIER)).json();
    const withdrawn = (await h.call('POST', `/consents/${encodeURIComponent(first.id)}/withdraw`, { token: await citizen('alice') })).json();
    const second = (await give('alice', TO_SUPPLIER)).json();
    const gap = withdrawn.events[1].at as string;
    h.broker.history([at(first.givenAt, -1000), first.givenAt, gap, at(second.givenAt, -1), second.givenAt, at(second.givenAt, 1000)]);
    expect((await h.call('GET', `${T}?type=EnergyMeter`, { token: await app([first.id, second.id]) })).json().reason).toBe('consent_withdrawn');
    const res = await h.call('GET', `${T}/${encodeURIComponent(ALICE_METER)}`, { token: await app([second.id]) });
    expect(res.status, res.text).toBe(200);
    expect(times(res.json(), 'totalActiveEnergyImport')).toEqual([second.givenAt, at(second.givenAt, 1000)]);
    // The broker was asked only for what can show.
    const asked = new URL(h.broker.requests.filter((q) => q.url.includes('/temporal/')).at(-1)!.url, 'https://broker');
    expect([asked.searchParams.get('timerel'), asked.searchParams.get('timeAt')]).toEqual(['after', at(second.givenAt, -1)]);
  });

  it('nothing from when the consent will have expired', async () => {
    const validUntil = new Date(Date.now() + 3_600_000).toISOString();
    const record = (await give('alice', { ...TO_SUPPLIER, validUntil })).json();
    h.broker.history([at(validUntil, -1), validUntil, at(validUntil, 1000)]);
    const res = await h.call('GET', `${T}/${encodeURIComponent(ALICE_METER)}`, { token: await app([record.id]) });
    expect(res.status, res.text).toBe(200);
    expect(times(res.json(), 'totalActiveEnergyImport')).toEqual([at(validUntil, -1)]);
    const asked = new URL(h.broker.requests.filter((q) => q.url.includes('/temporal/')).at(-1)!.url, 'https://broker');
    expect(asked.searchParams.get('timerel')).toBe('between');
    expect(asked.searchParams.get('endTimeAt')).toBe(validUntil);
  });
});
