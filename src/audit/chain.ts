/**
 * The hash chain: each record's hash is SHA-256 (hex) over the previous record's hash, a
 * newline, and the canonical JSON of the record's seq and event fields. Only the fields
 * listed here are hashed, so what is hashed is exactly what the store keeps.
 */
import { hash } from 'node:crypto';
import { canonicalJson } from '../lib/index.js';
import type { AuditEvent } from './types.js';

/** prevHash of record 1. */
export const GENESIS_HASH = '0'.repeat(64);

export const AUDIT_EVENT_FIELDS = [
  'time', 'decisionId', 'requestId', 'sub', 'clientId', 'operation', 'action', 'tenant',
  'targets', 'effect', 'reason', 'rules', 'upstreamStatus', 'latencyMs', 'method', 'path',
  // Added later: absent fields are left out of the payload, so older records still verify.
  'decided', 'contractRevision', 'auditLevel', 'issuer', 'providers', 'consent', 'released', 'binding',
] as const satisfies ReadonlyArray<keyof AuditEvent>;

// A field added to AuditEvent but not to the list above would silently escape the hash.
type UnhashedField = Exclude<keyof AuditEvent, (typeof AUDIT_EVENT_FIELDS)[number]>;
const everyFieldHashed: [UnhashedField] extends [never] ? true : never = true;
void everyFieldHashed;

// Top-level keys are fixed, so they are sorted and quoted once here rather than per record;
// nested values still go through canonicalJson. Output equals canonicalJson({ seq, ...event }).
type PayloadField = (typeof AUDIT_EVENT_FIELDS)[number] | 'seq';
const PAYLOAD_FIELDS: readonly PayloadField[] = ([...AUDIT_EVENT_FIELDS, 'seq'] as PayloadField[]).sort();
const PAYLOAD_KEYS = PAYLOAD_FIELDS.map((field) => JSON.stringify(field) + ':');

/** The exact string a record's hash is taken over (without prevHash). */
export function chainPayload(seq: number, event: AuditEvent): string {
  let out = '{';
  for (let i = 0; i < PAYLOAD_FIELDS.length; i++) {
    const field = PAYLOAD_FIELDS[i] as PayloadField;
    const value: unknown = field === 'seq' ? seq : event[field];
    // Absent optional fields come back from a store as null or undefined alike.
    if (value === undefined || value === null) continue;
    out += (out.length === 1 ? '' : ',') + (PAYLOAD_KEYS[i] as string) + (typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value));
  }
  return out + '}';
}

/**
 * chainPayload of an event as normalizeAuditEvent returns it, in one JSON.stringify: such
 * an event holds no nulls, and its nested objects have their keys in canonical order, so
 * only the top level needs sorting, and this literal's keys are written sorted. The
 * general loop reads the fields of events of every shape by a variable key, which cost
 * more than the serialisation itself. Records read back from a store are verified with
 * chainPayload.
 */
export function normalizedPayload(seq: number, e: AuditEvent): string {
  return JSON.stringify({
    action: e.action, auditLevel: e.auditLevel, binding: e.binding, clientId: e.clientId, consent: e.consent,
    contractRevision: e.contractRevision, decided: e.decided, decisionId: e.decisionId, effect: e.effect, issuer: e.issuer,
    latencyMs: e.latencyMs, method: e.method, operation: e.operation, path: e.path, providers: e.providers, reason: e.reason,
    released: e.released, requestId: e.requestId, rules: e.rules, seq, sub: e.sub, targets: e.targets, tenant: e.tenant,
    time: e.time, upstreamStatus: e.upstreamStatus,
  } satisfies Record<PayloadField, unknown>);
}

/** recordHash of an event as normalizeAuditEvent returns it (the log's own copies). */
export function normalizedRecordHash(prevHash: string, seq: number, event: AuditEvent): string {
  return hash('sha256', prevHash + '\n' + normalizedPayload(seq, event), 'hex');
}

// One-shot hash of one string: for inputs this small, a Hash object and three updates cost
// more than the digest, and verifying a long log does this once per record.
export function recordHash(prevHash: string, seq: number, event: AuditEvent): string {
  return hash('sha256', prevHash + '\n' + chainPayload(seq, event), 'hex');
}
