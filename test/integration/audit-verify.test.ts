import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ISSUER, startHarness, token, type Harness } from '../helpers/harness.js';
import { tamperedCopy as tamperCopy, verifyCli, removeCopies } from '../helpers/audit-tamper.js';

let h: Harness;
let pristine: string;
const verify = verifyCli;
const tamperedCopy = (edit: (db: Database.Database) => void): string => tamperCopy(pristine, edit);

beforeAll(async () => {
  h = await startHarness({ audit: { checkpointEvery: 5 } });
  h.broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot' });
  const t = await token(h.issuer);
  for (let i = 0; i < 12; i++) await h.call('GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:1', { token: t });
  await h.call('GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:1'); // a denial is recorded too
  await h.gateway.close();
  pristine = h.dir;
});
afterAll(async () => {
  removeCopies();
  await h?.agent.close();
  await h.broker.close();
  await h.issuer.close();
});

describe('audit log on disk', () => {
  it('records every decision, permit and deny, with caller, operation and upstream status', () => {
    const db = new Database(join(pristine, 'mimtrust.db'), { readonly: true });
    const rows = db.prepare('SELECT * FROM audit_records ORDER BY seq').all() as Array<Record<string, unknown>>;
    db.close();
    // A read: its decision, written while the broker answered, then its outcome with the broker's status.
    expect(rows).toHaveLength(25);
    expect(rows[0]).toMatchObject({ seq: 1, effect: 'permit', reason: 'before_effect', issuer: ISSUER, sub: 'alice', client_id: 'test-client', operation: 'entity.retrieve', action: 'read', upstream_status: null, method: 'GET' });
    expect(rows[1]).toMatchObject({ seq: 2, effect: 'permit', reason: 'permitted', issuer: ISSUER, sub: 'alice', operation: 'entity.retrieve', upstream_status: 200, decision_id: rows[0]!.decision_id });
    expect(rows[24]).toMatchObject({ seq: 25, effect: 'deny', reason: 'token_missing' });
  });

  it('verifies an untouched log', () => {
    const r = verify(pristine);
    expect(r.out).toContain('intact');
    expect(r.code).toBe(0);
  });

  it('needs only the public key, and never makes one up', () => {
    const dir = tamperedCopy(() => undefined);
    rmSync(join(dir, 'keys', 'audit-signing.jwk.json'));
    expect(verify(dir).code).toBe(0);
    rmSync(join(dir, 'keys', 'audit-signing.pub.jwk.json'));
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('no audit public key');
    expect(existsSync(join(dir, 'keys', 'audit-signing.pub.jwk.json'))).toBe(false);
  });

  it('catches an edited row', () => {
    const dir = tamperedCopy((db) => db.prepare("UPDATE audit_records SET sub = 'mallory' WHERE seq = 4").run());
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/record 4/);
  });

  it('catches a record moved to another issuer', () => {
    const dir = tamperedCopy((db) => db.prepare("UPDATE audit_records SET issuer = 'https://idp.partner.example' WHERE seq = 5").run());
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/record 5/);
  });

  it('catches a deleted row', () => {
    const dir = tamperedCopy((db) => db.prepare('DELETE FROM audit_records WHERE seq = 7').run());
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/record 7/);
  });

  it('catches two swapped rows', () => {
    const dir = tamperedCopy((db) => {
      db.exec('UPDATE audit_records SET seq = -1 WHERE seq = 8; UPDATE audit_records SET seq = 8 WHERE seq = 9; UPDATE audit_records SET seq = 9 WHERE seq = -1;');
    });
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/record 8/);
  });

  it('catches a forged data-subject index row: a person shown a read that released none of their data', () => {
    const dir = tamperedCopy((db) => db.prepare("INSERT INTO audit_data_subjects (subject, segment, seq) VALUES ('urn:ngsi-ld:Person:carol', '', 6)").run());
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('audit log BROKEN at record 6: subject_index: the data-subject index names "urn:ngsi-ld:Person:carol" at record 6, which released no data of them');
  });

  it('catches a data-subject index row pointing past the end of the log', () => {
    const dir = tamperedCopy((db) => db.prepare("INSERT INTO audit_data_subjects (subject, segment, seq) VALUES ('urn:ngsi-ld:Person:carol', '', 99)").run());
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BROKEN at record 26: subject_index: .*"urn:ngsi-ld:Person:carol" at record 99, but the log ends at record 25/);
  });

  it('catches a cut-off tail behind a signed checkpoint', () => {
    const dir = tamperedCopy((db) => db.prepare('DELETE FROM audit_records WHERE seq >= 9').run());
    const r = verify(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BROKEN/);
  });
});
