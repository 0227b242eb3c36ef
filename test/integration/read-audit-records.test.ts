/**
 * A read's records, against the real gateway over HTTPS on its SQLite store: its decision
 * goes to the disk while the broker answers and the answer leaves only once it is
 * durable; the outcome follows the answer, unless it names whose personal data the answer
 * releases, which is durable before the answer leaves. Each is attacked by breaking the
 * store (a trigger refusing the insert): what could not be recorded is not released.
 * Requests go through a client of their own, not `h.call`, which waits for the log to settle.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPO, startHarness, token, type Harness } from '../helpers/harness.js';
import { consentActors, meter, TO_SUPPLIER } from '../helpers/consent.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { eventually } from '../helpers/eventually.js';

const E = '/ngsi-ld/v1/entities';
const SPOT = 'urn:ngsi-ld:ParkingSpot:1';
const ALICE_METER = 'urn:ngsi-ld:EnergyMeter:alice';

let h: Harness;
const { app, give } = consentActors(() => h);

interface Row { seq: number; decision_id: string; effect: string; reason: string; upstream_status: number | null; released: string | null }

function rows(where = '1 = 1'): Row[] {
  const db = new Database(h.config.store.path, { readonly: true });
  try {
    return db.prepare(`SELECT seq, decision_id, effect, reason, upstream_status, released FROM audit_records WHERE ${where} ORDER BY seq`).all() as Row[];
  } finally {
    db.close();
  }
}

/** Runs `sql` on the store's file (a trigger applies to every connection, the writer thread's too). */
function onStore(sql: string): void {
  const db = new Database(h.config.store.path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** A read through the gateway, answered without waiting for the audit log to settle. */
async function read(path: string, bearer: string): Promise<{ status: number; text: string }> {
  const res = await h.agent.request({ origin: h.gateway.url.replace('127.0.0.1', 'localhost'), path, method: 'GET', headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.statusCode, text: await res.body.text() };
}

beforeAll(async () => {
  // Open data for anyone with a role, and meters for an app under their owners' consent.
  const contracts = makeTempDir('contracts');
  copyFileSync(join(REPO, 'test', 'fixtures', 'contracts-open', 'open.jsonld'), join(contracts, 'open.jsonld'));
  copyFileSync(join(REPO, 'test', 'fixtures', 'contracts-consent', 'energy-meter.jsonld'), join(contracts, 'energy-meter.jsonld'));
  h = await startHarness({ contractsDir: contracts });
  h.broker.seed({ id: SPOT, type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
  h.broker.seed(meter(ALICE_METER, 'urn:ngsi-ld:Person:alice'));
});

afterAll(async () => {
  await h?.close();
});

describe('a read\'s decision and outcome', () => {
  it('the decision is durable while the broker is still answering; the outcome follows with the same decision id', async () => {
    const viewer = await token(h.issuer);
    const before = rows().length;
    h.broker.setDelay(1500);
    try {
      const answer = read(`${E}/${encodeURIComponent(SPOT)}`, viewer);
      // The broker holds the request: the decision is on disk already, nothing else of this read.
      const held = await eventually(async () => rows(`seq > ${before}`), (r) => r.length > 0, 1200);
      expect(held).toEqual([expect.objectContaining({ effect: 'permit', reason: 'before_effect', upstream_status: null })]);
      expect((await answer).status).toBe(200);
      await h.gateway.auditSettled();
      const [decision, outcome] = rows(`seq > ${before}`);
      expect(outcome).toMatchObject({ effect: 'permit', reason: 'permitted', upstream_status: 200, decision_id: decision!.decision_id });
    } finally {
      h.broker.setDelay(0);
    }
  });

  it('withholds the broker\'s answer (503) when the decision cannot be recorded, and serves again once it can', async () => {
    const viewer = await token(h.issuer);
    const asked = h.broker.requests.length;
    onStore("CREATE TRIGGER refuse_decisions BEFORE INSERT ON audit_records WHEN NEW.reason = 'before_effect' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
    try {
      const refused = await read(`${E}/${encodeURIComponent(SPOT)}`, viewer);
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.text)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(refused.text).not.toContain('free');
      // The broker was asked and answered meanwhile: only the record kept its answer back.
      expect(h.broker.requests.length).toBeGreaterThan(asked);
    } finally {
      onStore('DROP TRIGGER refuse_decisions');
    }
    await h.gateway.auditSettled();
    expect((await read(`${E}/${encodeURIComponent(SPOT)}`, viewer)).status).toBe(200);
  });
});

describe('a read releasing personal data', () => {
  let consent: string;

  beforeAll(async () => {
    const res = await give('alice', TO_SUPPLIER);
    expect(res.status).toBe(201);
    consent = res.json().id;
  });

  it('leaves only once the record of whose data it releases is durable', async () => {
    const before = rows().length;
    const res = await read(`${E}/${encodeURIComponent(ALICE_METER)}`, await app([consent]));
    expect(res.status, res.text).toBe(200);
    // Read at once, without waiting for the log: the outcome naming alice is there already.
    const released = rows(`seq > ${before} AND released IS NOT NULL`);
    expect(released).toHaveLength(1);
    expect(JSON.parse(released[0]!.released!).subjects).toEqual([expect.objectContaining({ id: 'urn:ngsi-ld:Person:alice' })]);
  });

  it('is withheld (503) when that record cannot be written, though its decision is on record', async () => {
    const supplier = await app([consent]);
    const before = rows().length;
    onStore("CREATE TRIGGER refuse_releases BEFORE INSERT ON audit_data_subjects BEGIN SELECT RAISE(ABORT, 'refused for the test'); END");
    try {
      const refused = await read(`${E}/${encodeURIComponent(ALICE_METER)}`, supplier);
      expect(refused.status).toBe(503);
      expect(refused.text).not.toContain('1234.5');
      expect(JSON.parse(refused.text)).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    } finally {
      onStore('DROP TRIGGER refuse_releases');
    }
    await h.gateway.auditSettled();
    // The decision and the refusal are on record; no record says alice's data went out.
    const after = rows(`seq > ${before}`);
    expect(after.map((r) => [r.effect, r.reason])).toEqual([['permit', 'before_effect'], ['deny', 'audit_unavailable']]);
    expect(after.every((r) => r.released === null)).toBe(true);
    expect((await read(`${E}/${encodeURIComponent(ALICE_METER)}`, supplier)).status).toBe(200);
  });
});

describe('a gateway closed while a read waits for its decision record', () => {
  it('lets the read finish and records its outcome, though its client has gone', async () => {
    const g = await startHarness();
    let closing: Promise<void> | undefined;
    // Holds the database's write lock: the read's decision record cannot commit until it is let go.
    const locker = new Database(g.config.store.path);
    try {
      g.broker.seed({ id: SPOT, type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
      locker.exec('BEGIN IMMEDIATE');
      const asked = g.broker.requests.length;
      const abort = new AbortController();
      const reading = g.agent.request({
        origin: g.gateway.url.replace('127.0.0.1', 'localhost'), path: `${E}/${encodeURIComponent(SPOT)}`, method: 'GET',
        headers: { authorization: `Bearer ${await token(g.issuer)}` }, signal: abort.signal,
      }).catch(() => 'gone');
      expect(await eventually(async () => g.broker.requests.length, (n) => n > asked)).toBeGreaterThan(asked);
      // The broker has answered; the client leaves, so the server has no connection to wait for.
      abort.abort();
      expect(await reading).toBe('gone');
      closing = g.gateway.close();
      await new Promise((r) => setTimeout(r, 300));
      locker.exec('COMMIT');
      await closing;
      const db = new Database(g.config.store.path, { readonly: true });
      try {
        const records = db.prepare("SELECT reason, upstream_status FROM audit_records WHERE operation = 'entity.retrieve' ORDER BY seq").all();
        expect(records).toEqual([{ reason: 'before_effect', upstream_status: null }, { reason: 'permitted', upstream_status: 200 }]);
      } finally {
        db.close();
      }
    } finally {
      if (locker.inTransaction) locker.exec('ROLLBACK');
      locker.close();
      if (closing === undefined) await g.gateway.close();
      await g.agent.close();
      await g.broker.close();
      await g.issuer.close();
    }
  });
});
