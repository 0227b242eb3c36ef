/**
 * The attacks on the audit log that the chain alone cannot catch, run against the files a
 * real gateway left behind: a tail cut together with its checkpoints, every checkpoint
 * deleted, a log edited and re-chained (with and without the signing key), the anchor
 * file removed. Also: what a record holds (bounded targets, IRIs decided on, contract
 * revision, log level) and the witness copy.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { ANCHOR_FILE, removeCopies, tamperedCopy, verifyCli } from '../helpers/audit-tamper.js';
import { SqliteAuditStore } from '../../src/store/index.js';
import { canonicalJson, GENESIS_HASH, recordHash, signCheckpoint, toAuditSigningKey, type AuditCheckpoint } from '../../src/audit/index.js';

const E = '/ngsi-ld/v1/entities';
const METER = `${E}?type=HomeEnergyMeter&id=urn:ngsi-ld:HomeEnergyMeter:1`;
const MANY = 5000;
const ids = Array.from({ length: MANY }, (_, i) => `urn:ngsi-ld:ParkingSpot:${i}`);

let h: Harness;
let pristine: string;
let witness: Server;
const witnessed: AuditCheckpoint[] = [];
let witnessedTen: Promise<void>;

beforeAll(async () => {
  let reached: () => void;
  witnessedTen = new Promise((r) => { reached = r; });
  witness = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const cp = JSON.parse(body) as AuditCheckpoint;
      witnessed.push(cp);
      if (cp.seq >= 10) reached();
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => witness.listen(0, '127.0.0.1', r));
  const witnessUrl = `http://127.0.0.1:${(witness.address() as { port: number }).port}/checkpoints`;

  h = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-city'), audit: { checkpointEvery: 5, witness: { url: witnessUrl } } });
  h.broker.seed({ id: 'urn:ngsi-ld:HomeEnergyMeter:1', type: 'HomeEnergyMeter', consumption: { type: 'Property', value: 12.5 } });
  const viewer = await token(h.issuer);
  const meter = await token(h.issuer, { roles: ['viewer'], extra: { client_id: 'energy-app', purpose: 'dpv:ServiceProvision' } });
  // 1 and 2: a contract read under a log duty (its decision, its outcome); 3: a refused batch delete naming thousands of ids.
  expect((await h.call('GET', METER, { token: meter })).status).toBe(200);
  expect((await h.call('POST', '/ngsi-ld/v1/entityOperations/delete', { token: viewer, body: ids })).status).toBe(403);
  for (let i = 0; i < 10; i++) await h.call('GET', `${E}/urn:ngsi-ld:HomeEnergyMeter:1`, { token: viewer });
  await witnessedTen;
  await h.gateway.close();
  pristine = h.dir;
});

afterAll(async () => {
  removeCopies();
  await h?.agent.close();
  await h?.broker.close();
  await h?.issuer.close();
  await new Promise((r) => witness.close(r));
  rmSync(h.dir, { recursive: true, force: true });
});

function anchors(dir: string): AuditCheckpoint[] {
  return readFileSync(join(dir, ANCHOR_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditCheckpoint);
}

function broken(dir: string, pattern: RegExp): void {
  const r = verifyCli(dir);
  expect(r.out).toMatch(/BROKEN/);
  expect(r.out).toMatch(pattern);
  expect(r.code).toBe(1);
}

/** Edits record 4 and recomputes every hash after it, as someone without the key would. */
async function rechain(db: Database.Database): Promise<Array<{ seq: number; hash: string }>> {
  const records = await new SqliteAuditStore(db).readRange(1, 10_000);
  const update = db.prepare('UPDATE audit_records SET sub = ?, prev_hash = ?, hash = ? WHERE seq = ?');
  let prev = GENESIS_HASH;
  const out: Array<{ seq: number; hash: string }> = [];
  for (const r of records) {
    if (r.seq === 4) r.sub = 'mallory';
    const hash = recordHash(prev, r.seq, r);
    update.run(r.sub ?? null, prev, hash, r.seq);
    out.push({ seq: r.seq, hash });
    prev = hash;
  }
  return out;
}

describe('checkpoints outside the database', () => {
  it('copies every checkpoint to the anchor file and verifies the untouched log', () => {
    const db = new Database(join(pristine, 'mimtrust.db'), { readonly: true });
    const inDb = db.prepare('SELECT seq, hash, time, kid, signature FROM audit_checkpoints ORDER BY seq').all();
    db.close();
    expect(inDb.map((c) => (c as AuditCheckpoint).seq)).toEqual([5, 10, 15, 20, 23]);
    expect(anchors(pristine)).toEqual(inDb);
    const r = verifyCli(pristine);
    expect(r.out).toMatch(/intact: 23 records/);
    expect(r.code).toBe(0);
  });

  it('sent the checkpoints to the witness as they were anchored', () => {
    const all = anchors(pristine);
    expect(witnessed.length).toBeGreaterThanOrEqual(2);
    for (const cp of witnessed) expect(all).toContainEqual(cp);
  });

  it('catches a tail cut together with its checkpoints', () => {
    const dir = tamperedCopy(pristine, (db) => {
      db.exec('DELETE FROM audit_records WHERE seq > 10; DELETE FROM audit_checkpoints WHERE seq > 10;');
    });
    broken(dir, /the log ends at record 10, but the anchor file holds a signed checkpoint for record 15: records were cut from the end/);
  });

  it('catches every checkpoint deleted from the database', () => {
    const dir = tamperedCopy(pristine, (db) => db.exec('DELETE FROM audit_checkpoints'));
    broken(dir, /signed checkpoint for record 5 in the anchor file is missing from the database: checkpoints were deleted/);
  });

  it('catches every checkpoint deleted from both the database and the anchor file, by the cadence', () => {
    const dir = tamperedCopy(pristine, (db, d) => {
      db.exec('DELETE FROM audit_checkpoints');
      writeFileSync(join(d, ANCHOR_FILE), '');
    });
    broken(dir, /checkpoint_cadence: the log has 23 records and no signed checkpoint, but one is signed at least every 5 records/);
  });

  it('catches a deleted checkpoint in the middle by the cadence, once its anchor is gone too', () => {
    const dir = tamperedCopy(pristine, (db, d) => {
      db.exec('DELETE FROM audit_checkpoints WHERE seq = 5');
      writeFileSync(join(d, ANCHOR_FILE), anchors(d).filter((a) => a.seq !== 5).map((a) => JSON.stringify(a) + '\n').join(''));
    });
    broken(dir, /records 1 to 10 \(10\) have no signed checkpoint/);
  });

  /** A copy whose record 4 was edited and the chain recomputed after it. */
  async function rechainedCopy(): Promise<{ dir: string; db: Database.Database; hashes: Array<{ seq: number; hash: string }> }> {
    const dir = tamperedCopy(pristine, () => undefined);
    const db = new Database(join(dir, 'mimtrust.db'));
    return { dir, db, hashes: await rechain(db) };
  }

  it('catches an edit re-chained without the key: the old checkpoints no longer match', async () => {
    const { dir, db } = await rechainedCopy();
    db.close();
    broken(dir, /record 5 does not match its signed checkpoint/);
  });

  it('catches an edit re-chained and re-signed with the key: the anchors hold the old hashes', async () => {
    const key = toAuditSigningKey(JSON.parse(readFileSync(join(pristine, 'keys', 'audit-signing.jwk.json'), 'utf8')));
    const { dir, db, hashes } = await rechainedCopy();
    db.exec('DELETE FROM audit_checkpoints');
    const insert = db.prepare('INSERT INTO audit_checkpoints (seq, hash, time, kid, signature) VALUES (@seq, @hash, @time, @kid, @signature)');
    for (const seq of [5, 10, 15, 20, 23]) insert.run(signCheckpoint(key, seq, hashes[seq - 1]!.hash, new Date().toISOString()));
    db.close();
    broken(dir, /record 5 does not match the signed checkpoint anchored outside the database: the log was rewritten and re-chained/);
  });

  it('says the anchor file is missing when the database has checkpoints', () => {
    const dir = tamperedCopy(pristine, (_db, d) => rmSync(join(d, ANCHOR_FILE)));
    broken(dir, /anchor_file_missing: the anchor file .*audit-anchors\.jsonl is missing, but the database holds 5 signed checkpoints/);
  });

  it('refuses a forged anchor line', () => {
    const dir = tamperedCopy(pristine, (_db, d) => {
      const forged = anchors(d).map((a) => (a.seq === 10 ? { ...a, hash: 'f'.repeat(64) } : a));
      writeFileSync(join(d, ANCHOR_FILE), forged.map((a) => JSON.stringify(a) + '\n').join(''));
    });
    broken(dir, /anchored checkpoint for record 10 .* is not validly signed/);
  });
});

describe('what a record holds', () => {
  function row(seq: number): Record<string, unknown> {
    const db = new Database(join(pristine, 'mimtrust.db'), { readonly: true });
    const r = db.prepare('SELECT * FROM audit_records WHERE seq = ?').get(seq) as Record<string, unknown>;
    db.close();
    return r;
  }

  it('keeps the first 32 of thousands of named ids, their count and a digest of the full list', () => {
    const r = row(3);
    expect(r).toMatchObject({ effect: 'deny', operation: 'batch.delete' });
    const targets = JSON.parse(r.targets as string);
    expect(targets.entityIds).toEqual(ids.slice(0, 32));
    expect(targets.counts).toEqual({ entityIds: MANY, types: 0, attrs: 0 });
    expect(targets.digest).toBe(createHash('sha256').update(canonicalJson({ entityIds: ids, types: [], attrs: [] })).digest('hex'));
    expect((r.targets as string).length).toBeLessThan(4096);
  });

  it('names the IRIs decided on, the contract snapshot revision and the log duty level', () => {
    const r = row(1);
    expect(r).toMatchObject({ effect: 'permit', contract_revision: 1, audit_level: 'detailed' });
    expect(JSON.parse(r.decided as string)).toEqual({ types: ['https://uri.etsi.org/ngsi-ld/default-context/HomeEnergyMeter'], attrs: [] });
  });
});

describe('contract revision', () => {
  it('counts up when a contract is added through the admin API, and records say which set decided', async () => {
    const h2 = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-city') });
    try {
      h2.broker.seed({ id: 'urn:ngsi-ld:HomeEnergyMeter:1', type: 'HomeEnergyMeter', consumption: { type: 'Property', value: 1 } });
      const meter = await token(h2.issuer, { roles: ['viewer'], extra: { client_id: 'energy-app', purpose: 'dpv:ServiceProvision' } });
      const admin = await token(h2.issuer, { roles: ['contract-admin'] });
      expect((await h2.call('GET', METER, { token: meter })).status).toBe(200);
      const tram = {
        '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
        '@type': 'Set', uid: 'urn:test:tram', profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
        permission: [{ uid: 'urn:test:tram:read', target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'Tram' }] }, action: 'ngsi:read' }],
      };
      expect((await h2.call('POST', '/admin/contracts', { token: admin, body: tram })).status).toBe(201);
      expect((await h2.call('GET', METER, { token: meter })).status).toBe(200);
      await h2.gateway.close();
      const db = new Database(join(h2.dir, 'mimtrust.db'), { readonly: true });
      const revisions = db.prepare("SELECT contract_revision FROM audit_records WHERE operation = 'entity.query' ORDER BY seq").all();
      db.close();
      // Each read's decision and outcome.
      expect(revisions).toEqual([{ contract_revision: 1 }, { contract_revision: 1 }, { contract_revision: 2 }, { contract_revision: 2 }]);
    } finally {
      await h2.agent.close();
      await h2.broker.close();
      await h2.issuer.close();
      rmSync(h2.dir, { recursive: true, force: true });
    }
  });
});

describe('duties', () => {
  it('refuses a contract with a duty the gateway does not enforce, and keeps the set in force', async () => {
    const h2 = await startHarness({ contractsDir: join(REPO, 'test', 'fixtures', 'contracts-city') });
    try {
      const admin = await token(h2.issuer, { roles: ['contract-admin'] });
      const contract = {
        '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
        '@type': 'Set',
        uid: 'urn:test:paid',
        profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
        permission: [{
          uid: 'urn:test:paid:read',
          target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'Tram' }] },
          action: 'ngsi:read',
          duty: [{ action: 'odrl:compensate' }],
        }],
      };
      const res = await h2.call('POST', '/admin/contracts', { token: admin, body: contract });
      expect(res.status).toBe(400);
      expect(res.json().detail).toContain('odrl:compensate');
      expect((await h2.call('GET', '/admin/contracts/urn%3Atest%3Apaid', { token: admin })).status).toBe(404);
    } finally {
      await h2.close();
      rmSync(h2.dir, { recursive: true, force: true });
    }
  });
});
