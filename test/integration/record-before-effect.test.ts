/**
 * No effect without a record: a write reaches the broker only once its decision is on
 * disk. The audit database is locked from outside (as a stuck writer or a full disk would
 * make it fail): the write is refused with 503 and the broker never sees it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startHarness, token, type Harness } from '../helpers/harness.js';

let h: Harness;
const E = '/ngsi-ld/v1/entities';

beforeAll(async () => {
  h = await startHarness();
  h.broker.seed({ id: 'urn:ngsi-ld:Tram:1', type: 'Tram', line: { type: 'Property', value: '4' } });
});
afterAll(async () => {
  await h?.close();
});

function records(decisionId: string): Array<{ reason: string; upstream_status: number | null }> {
  const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
  try {
    return db.prepare('SELECT reason, upstream_status FROM audit_records WHERE decision_id = ? ORDER BY seq').all(decisionId) as never;
  } finally {
    db.close();
  }
}

describe('a write is on record before it takes effect', () => {
  it('records the decision before forwarding, and the outcome after', async () => {
    const provider = await token(h.issuer, { roles: ['provider'] });
    const res = await h.call('PATCH', `${E}/urn:ngsi-ld:Tram:1/attrs`, { token: provider, body: { line: { type: 'Property', value: '5' } } });
    expect(res.status, res.text).toBeLessThan(300);
    const db = new Database(join(h.dir, 'mimtrust.db'), { readonly: true });
    const ids = db.prepare("SELECT DISTINCT decision_id FROM audit_records WHERE operation = 'attrs.update'").all() as Array<{ decision_id: string }>;
    db.close();
    expect(ids).toHaveLength(1);
    expect(records(ids[0]!.decision_id).map((r) => [r.reason, r.upstream_status])).toEqual([['before_effect', null], ['permitted', res.status]]);
  });

  it('forwards nothing and answers 503 when the decision cannot be recorded', async () => {
    const provider = await token(h.issuer, { roles: ['provider'] });
    const before = h.broker.requests.filter((r) => r.method === 'PATCH').length;
    const lock = new Database(join(h.dir, 'mimtrust.db'));
    lock.exec('BEGIN EXCLUSIVE');
    let res;
    try {
      res = await h.call('PATCH', `${E}/urn:ngsi-ld:Tram:1/attrs`, { token: provider, body: { line: { type: 'Property', value: '6' } } });
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(h.broker.requests.filter((r) => r.method === 'PATCH').length).toBe(before);
    const now = await h.call('GET', `${E}/urn:ngsi-ld:Tram:1`, { token: await token(h.issuer) });
    expect(now.json().line.value).toBe('5');
    // Once the database is free again, writes go through and are recorded.
    const again = await h.call('PATCH', `${E}/urn:ngsi-ld:Tram:1/attrs`, { token: provider, body: { line: { type: 'Property', value: '7' } } });
    expect(again.status, again.text).toBeLessThan(300);
  }, 20_000);
});
