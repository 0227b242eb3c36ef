import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainPayload, GENESIS_HASH, recordHash, type AuditEvent } from '../../src/audit/index.js';
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
