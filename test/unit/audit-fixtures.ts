/** Shared setup for the audit and store tests: temp databases, events, a tamper connection. */
import { rmSync } from 'node:fs';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import Database from 'better-sqlite3';
import type { AuditEvent } from '../../src/audit/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = makeTempDir('audit');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function ed25519(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

export function event(i: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, 0, i)).toISOString(),
    decisionId: `d-${i}`,
    requestId: `r-${i}`,
    issuer: i % 4 === 0 ? undefined : 'https://idp.city.example',
    sub: i % 3 === 0 ? undefined : `citizen-${i % 7}`,
    clientId: 'wallet-app',
    operation: 'entity.retrieve',
    action: 'read',
    tenant: i % 2 === 0 ? 'city' : undefined,
    targets: { entityIds: [`urn:ngsi-ld:Vehicle:${i}`], types: ['https://uri.fiware.org/ns/dataModels#Vehicle'], attrs: ['speed'] },
    effect: i % 5 === 0 ? 'deny' : 'permit',
    reason: i % 5 === 0 ? 'no_matching_permission' : 'permitted',
    rules: i % 5 === 0 ? undefined : ['urn:contract:mobility#r1'],
    upstreamStatus: i % 5 === 0 ? undefined : 200,
    latencyMs: 0.25 + i / 1000,
    method: 'GET',
    path: `/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:${i}`,
    ...overrides,
  };
}

/**
 * A second connection to the same file, as someone with file access would use it: the
 * append-only triggers are dropped first, since they only guard against mistakes.
 */
export function tamper(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  try {
    db.pragma('foreign_keys = OFF');
    db.exec(`
      DROP TRIGGER IF EXISTS audit_records_no_update; DROP TRIGGER IF EXISTS audit_records_no_delete;
      DROP TRIGGER IF EXISTS audit_checkpoints_no_update; DROP TRIGGER IF EXISTS audit_checkpoints_no_delete;
      DROP TRIGGER IF EXISTS audit_data_subjects_no_update; DROP TRIGGER IF EXISTS audit_data_subjects_no_delete;`);
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

export function tamperMany(path: string, statements: string[]): void {
  for (const sql of statements) tamper(path, sql);
}
