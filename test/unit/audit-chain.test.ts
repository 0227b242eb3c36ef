import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serialize } from 'node:v8';
import { canonicalJson, chainPayload, GENESIS_HASH, recordHash, type AuditEvent } from '../../src/audit/index.js';
import { AUDIT_EVENT_FIELDS, normalizedPayload, normalizedRecordHash } from '../../src/audit/chain.js';
import { normalizeAuditEvent } from '../../src/audit/event.js';
import { event } from './audit-fixtures.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 'x' }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[{"y":"x","z":1}]},"b":1}');
    expect(canonicalJson({ B: 1, a: 2, ä: 3 })).toBe('{"B":1,"a":2,"ä":3}');
    expect(canonicalJson('line\n"quote"')).toBe('"line\\n\\"quote\\""');
  });

  it('refuses values that JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson([undefined])).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
  });
});

describe('record hash', () => {
  it('equals SHA-256 over prevHash, a newline and the canonical JSON of seq and the event', () => {
    const e = event(4);
    const expected = createHash('sha256').update(GENESIS_HASH + '\n' + canonicalJson({ ...e, seq: 1 })).digest('hex');
    expect(chainPayload(1, e)).toBe(canonicalJson({ ...e, seq: 1 }));
    expect(recordHash(GENESIS_HASH, 1, e)).toBe(expected);
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
  });

  it('matches the generic canonical form for many shapes of event', () => {
    for (let i = 0; i < 50; i++) {
      const e = event(i, i % 4 === 0 ? { targets: { types: [], attrs: ['a', 'b'], entityIds: [] } } : {});
      expect(chainPayload(i + 1, e)).toBe(canonicalJson({ ...e, seq: i + 1 }));
    }
  });

  it('changes with any field, the seq or the previous hash, and ignores absent optionals', () => {
    const e: AuditEvent = event(1);
    const base = recordHash(GENESIS_HASH, 1, e);
    expect(recordHash(GENESIS_HASH, 2, e)).not.toBe(base);
    expect(recordHash('1'.repeat(64), 1, e)).not.toBe(base);
    expect(recordHash(GENESIS_HASH, 1, { ...e, effect: 'deny' })).not.toBe(base);
    expect(recordHash(GENESIS_HASH, 1, { ...e, issuer: 'https://idp.partner.example' })).not.toBe(base);
    expect(recordHash(GENESIS_HASH, 1, { ...e, latencyMs: e.latencyMs + 1 })).not.toBe(base);
    expect(recordHash(GENESIS_HASH, 1, { ...e, targets: { ...e.targets, attrs: [] } })).not.toBe(base);
    const withoutTenant = { ...e };
    delete withoutTenant.tenant;
    expect(recordHash(GENESIS_HASH, 1, { ...withoutTenant, tenant: undefined })).toBe(recordHash(GENESIS_HASH, 1, withoutTenant));
  });
});

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters that JSON escapes or that take two UTF-16 units, lone halves of a pair included.
const ALPHABET = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', 'é', 'ß', '\u2028', '\u2029', '€', '\uFFFD', '\uD83D\uDE00', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '#', ':'];

function generator(seed: number) {
  const next = random(seed);
  const int = (n: number): number => Math.floor(next() * n);
  const maybe = (p = 0.5): boolean => next() < p;
  const str = (): string => {
    // Now and then longer than a record keeps (512), with a pair across the cut.
    if (maybe(0.05)) return 'x'.repeat(511 + int(2)) + '\uD83D\uDE00' + 'y'.repeat(int(3));
    let out = '';
    for (let n = int(12); n > 0; n--) out += ALPHABET[int(ALPHABET.length)];
    return out;
  };
  const list = (): string[] => Array.from({ length: maybe(0.1) ? 30 + int(20) : int(4) }, str);
  const num = (): number => [0, -0, 0.1, 1e21, 1e-7, 5e-324, -12.5, 123.456, Number.MAX_SAFE_INTEGER, next() * 1000][int(10)] as number;
  const optional = <T>(value: () => T): T | undefined | null => (maybe(0.4) ? value() : maybe() ? undefined : null);
  return (): AuditEvent => {
    const e = {
      time: str(), decisionId: str(), requestId: str(), issuer: optional(str), sub: optional(str), clientId: optional(str),
      binding: optional(() => (['bearer', 'dpop', 'mtls'] as const)[int(3)]), operation: str(), action: str(), tenant: optional(str),
      targets: { entityIds: list(), types: list(), attrs: list() }, effect: maybe() ? 'permit' : 'deny', reason: str(), rules: optional(list),
      upstreamStatus: optional(() => int(600)), latencyMs: num(), method: str(), path: str(),
      decided: optional(() => ({ types: list(), attrs: list() })), contractRevision: optional(() => (maybe() ? int(10) : Number.MAX_SAFE_INTEGER)),
      auditLevel: optional(() => (maybe() ? 'normal' : 'detailed')), providers: optional(list),
      consent: optional(() => ({ id: str(), event: (['given', 'withdrawn', 'expired'] as const)[int(3)], subject: str(), recipient: str(), purposes: list() })),
      released: optional(() => ({ ...(maybe() ? { purpose: str() } : {}), consents: list(), subjects: Array.from({ length: int(4) }, () => ({ id: str(), types: list(), attrs: list() })) })),
    };
    // Written in another order than the log's copy, as callers do.
    return Object.fromEntries(Object.entries(e).reverse()) as unknown as AuditEvent;
  };
}

describe('payload of a normalised event', () => {
  it('equals the general chainPayload for random events exercising every field, present and absent', () => {
    const next = generator(20261203);
    const present = new Map<string, number>();
    const nested = { digest: 0, purpose: 0, noPurpose: 0 };
    for (let i = 0; i < 3000; i++) {
      const e = normalizeAuditEvent(next(), i % 3 === 0 ? 3 : 32);
      const seq = 1 + Math.floor(i * 7919.5);
      const fast = normalizedPayload(seq, e);
      expect(fast).toBe(chainPayload(seq, e));
      expect(fast).toBe(canonicalJson({ ...e, seq }));
      expect(normalizedRecordHash(GENESIS_HASH, seq, e)).toBe(recordHash(GENESIS_HASH, seq, e));
      for (const field of Object.keys(e)) present.set(field, (present.get(field) ?? 0) + 1);
      if (e.targets.digest !== undefined) nested.digest++;
      if (e.released !== undefined) nested[e.released.purpose === undefined ? 'noPurpose' : 'purpose']++;
    }
    // A field added to AUDIT_EVENT_FIELDS must be made by this generator and kept by
    // normalizeAuditEvent, and then the equality above fails unless normalizedPayload hashes it.
    for (const field of AUDIT_EVENT_FIELDS) expect(present.get(field) ?? 0, `field ${field} never in a normalised event`).toBeGreaterThan(50);
    for (const field of present.keys()) expect(AUDIT_EVENT_FIELDS as readonly string[]).toContain(field);
    expect(nested.digest).toBeGreaterThan(50);
    expect(nested.purpose).toBeGreaterThan(50);
    expect(nested.noPurpose).toBeGreaterThan(50);
  });

  it('is the canonical JSON only because normalizeAuditEvent sorts nested keys: an unsorted event differs', () => {
    const e = event(1, { targets: { types: [], entityIds: ['e'], attrs: ['a'] } });
    expect(normalizedPayload(1, e)).not.toBe(chainPayload(1, e));
    const n = normalizeAuditEvent(e);
    expect(normalizedPayload(1, n)).toBe(chainPayload(1, n));
  });

  it('hashes every field of AUDIT_EVENT_FIELDS: each changes the payload', () => {
    const full = normalizeAuditEvent(event(1, {
      issuer: 'i', sub: 's', tenant: 't', binding: 'mtls', rules: ['c#r'], upstreamStatus: 200, decided: { types: ['T'], attrs: ['a'] },
      contractRevision: 3, auditLevel: 'normal', providers: ['p'], consent: { id: 'c', event: 'given', subject: 's', recipient: 'r', purposes: [] },
      released: { consents: ['c'], subjects: [{ id: 's', types: [], attrs: [] }] },
    }));
    expect(AUDIT_EVENT_FIELDS.filter((f) => full[f] === undefined)).toEqual([]);
    const base = normalizedPayload(1, full);
    for (const field of AUDIT_EVENT_FIELDS) {
      const without: Partial<AuditEvent> = { ...full };
      delete without[field];
      expect(normalizedPayload(1, without as AuditEvent), field).not.toBe(base);
    }
  });

  it('leaves the arrays of the copy packed, so that a structured clone copies them densely', () => {
    const next = generator(11);
    // V8's serializer (structured clone) tags a dense array 'A', a sparse one 'a'.
    const dense = (list: readonly string[]): boolean => serialize(list)[2] === 0x41;
    for (let i = 0; i < 200; i++) {
      const e = normalizeAuditEvent(next(), i % 2 === 0 ? 3 : 32);
      const lists = [e.targets.entityIds, e.targets.types, e.targets.attrs, e.rules, e.providers, e.decided?.types, e.decided?.attrs, e.consent?.purposes, e.released?.consents];
      for (const s of e.released?.subjects ?? []) lists.push(s.types, s.attrs);
      for (const list of lists) if (list !== undefined) expect(dense(list)).toBe(true);
      if (e.released !== undefined) expect(serialize(e.released.subjects)[2]).toBe(0x41);
    }
  });
});
