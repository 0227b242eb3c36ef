import { describe, expect, it } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { compileClaimPath, extractBearerToken, readPartyClaim, readStringList, withDeclaredRecipient, type VerifiedToken } from '../../src/auth/index.js';
import { toVerifiedToken } from '../../src/auth/claims.js';

describe('compileClaimPath', () => {
  const claims = { roles: ['a'], realm_access: { roles: ['b'] }, 'x.y': 'literal', x: { y: 'nested' }, arr: [{ z: 1 }] };
  it('reads top-level, nested and literally dotted claims', () => {
    expect(compileClaimPath('roles')(claims)).toEqual(['a']);
    expect(compileClaimPath('realm_access.roles')(claims)).toEqual(['b']);
    expect(compileClaimPath('x.y')(claims)).toBe('literal');
    expect(compileClaimPath('missing.path')(claims)).toBeUndefined();
    expect(compileClaimPath('arr.0.z')(claims)).toBeUndefined();
  });
  it('does not walk into inherited properties', () => {
    expect(compileClaimPath('constructor')({})).toBeUndefined();
    expect(compileClaimPath('roles.length')(claims)).toBeUndefined();
    expect(compileClaimPath('__proto__.toString')({})).toBeUndefined();
  });
  it('refuses empty segments', () => {
    expect(() => compileClaimPath('')).toThrow(TypeError);
    expect(() => compileClaimPath('a.')).toThrow(TypeError);
  });
});

describe('readStringList', () => {
  it('splits strings on spaces and commas and keeps arrays of strings', () => {
    expect(readStringList('a, b  c,d')).toEqual(['a', 'b', 'c', 'd']);
    expect(readStringList(['a', '', 'b'])).toEqual(['a', 'b']);
    expect(readStringList(undefined)).toEqual([]);
    expect(readStringList('')).toEqual([]);
    expect(readStringList('a,b c', /\s+/)).toEqual(['a,b', 'c']);
  });
  it('refuses other shapes as an invalid token', () => {
    for (const bad of [1, null, { a: 1 }, ['a', 2], true]) {
      expect(() => readStringList(bad)).toThrow(MimtrustError);
    }
  });
});

describe('extractBearerToken', () => {
  it('takes the token after the scheme', () => {
    expect(extractBearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(extractBearerToken('BEARER   abc')).toBe('abc');
  });
  it.each([undefined, '', 'Bearer', 'Bearer  ', 'Basic abc', 'Bearer\tabc', 'Bearer a\tb', 'Bearer a b'])('refuses %j', (h) => {
    expect(() => extractBearerToken(h)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED', reason: 'token_missing' }));
  });
});

describe('per-issuer claim reading', () => {
  const readers = (acceptRoles?: string[]) => ({
    roles: compileClaimPath('realm_access.roles'),
    purpose: compileClaimPath('ctx.purpose'),
    ...(acceptRoles ? { acceptRoles: new Set(acceptRoles) } : {}),
  });
  const claims = { exp: 2_000_000_000, realm_access: { roles: ['viewer', 'contract-admin'] }, ctx: { purpose: 'dpv:ServiceProvision' }, purpose: 'dpv:Marketing' };

  it('keeps only the roles the issuer may grant', () => {
    expect(toVerifiedToken(claims, 'https://idp', readers(['viewer'])).roles).toEqual(['viewer']);
    expect(toVerifiedToken(claims, 'https://idp', readers([])).roles).toEqual([]);
    expect(toVerifiedToken(claims, 'https://idp', readers()).roles).toEqual(['viewer', 'contract-admin']);
  });

  it('reads the purpose from the configured claim, not a top-level one', () => {
    expect(toVerifiedToken(claims, 'https://idp', readers()).purpose).toBe('dpv:ServiceProvision');
  });
});

describe('organisation and recipient claims', () => {
  const readers = (more: Record<string, unknown> = {}) => ({
    roles: compileClaimPath('roles'),
    purpose: compileClaimPath('purpose'),
    organisation: compileClaimPath('org.id'),
    recipient: compileClaimPath('recipient'),
    ...more,
  });
  const base = { exp: 2_000_000_000, roles: ['viewer'] };

  it('reads the organisation from the configured path, as a string or a list of one', () => {
    expect(toVerifiedToken({ ...base, org: { id: 'did:web:water.example' } }, 'https://idp', readers()).organisation).toBe('did:web:water.example');
    expect(toVerifiedToken({ ...base, org: { id: ['stats-office'] } }, 'https://idp', readers()).organisation).toBe('stats-office');
    expect(toVerifiedToken({ ...base, 'org.id': 'literal' }, 'https://idp', readers()).organisation).toBe('literal');
    expect(toVerifiedToken(base, 'https://idp', readers()).organisation).toBeUndefined();
  });

  it('reads no organisation where the issuer names no claim, whatever the token carries', () => {
    const t = toVerifiedToken({ ...base, org: { id: 'x' }, org_id: 'y', recipient: 'z' }, 'https://idp', { roles: compileClaimPath('roles'), purpose: compileClaimPath('purpose') });
    expect(t.organisation).toBeUndefined();
    expect(t.recipient).toBeUndefined();
    expect(t.recipientHeader).toBeUndefined();
  });

  it('refuses the token when the claim could name several parties or none', () => {
    for (const bad of [['a', 'b'], [], '', [''], 7, { id: 'x' }, [1], null, true]) {
      expect(() => toVerifiedToken({ ...base, org: { id: bad } }, 'https://idp', readers()), JSON.stringify(bad))
        .toThrow(expect.objectContaining({ code: 'INVALID_TOKEN', reason: 'token_claim_invalid' }));
      expect(() => toVerifiedToken({ ...base, recipient: bad }, 'https://idp', readers()), JSON.stringify(bad))
        .toThrow(expect.objectContaining({ code: 'INVALID_TOKEN', reason: 'token_claim_invalid' }));
    }
  });

  it('reads the recipient the issuer declares, and whether its callers may declare one', () => {
    const t = toVerifiedToken({ ...base, recipient: 'lab' }, 'https://idp', readers({ recipientHeader: true }));
    expect(t.recipient).toBe('lab');
    expect(t.recipientHeader).toBe(true);
    expect(Object.isFrozen(t)).toBe(true);
  });

  it('reads a party claim alone', () => {
    expect(readPartyClaim(undefined)).toBeUndefined();
    expect(readPartyClaim('a')).toBe('a');
    expect(readPartyClaim(['a'])).toBe('a');
    expect(() => readPartyClaim(['a', 'a'])).toThrow(MimtrustError);
  });
});

describe('a recipient declared in the request', () => {
  const token = (more: Partial<VerifiedToken> = {}): VerifiedToken => Object.freeze({ issuer: 'https://idp', roles: [], exp: 1, claims: {}, ...more });

  it('is taken only where the token\'s issuer lets its callers declare one, without changing the shared token', () => {
    const allowed = token({ recipientHeader: true });
    const declared = withDeclaredRecipient(allowed, 'did:web:lab.example');
    expect(declared.recipient).toBe('did:web:lab.example');
    expect(allowed.recipient).toBeUndefined();
    expect(Object.isFrozen(declared)).toBe(true);
    expect(withDeclaredRecipient(allowed, undefined)).toBe(allowed);
    expect(() => withDeclaredRecipient(token(), 'lab')).toThrow(expect.objectContaining({ code: 'FORBIDDEN', reason: 'recipient_not_declarable' }));
  });

  it('may repeat what the token declares, never contradict it', () => {
    const t = token({ recipientHeader: true, recipient: 'lab' });
    expect(withDeclaredRecipient(t, 'lab')).toBe(t);
    expect(() => withDeclaredRecipient(t, 'other')).toThrow(expect.objectContaining({ code: 'FORBIDDEN', reason: 'recipient_conflict' }));
    // A token whose issuer declares the recipient but allows no header: refused, even when equal.
    expect(() => withDeclaredRecipient(token({ recipient: 'lab' }), 'lab')).toThrow(expect.objectContaining({ reason: 'recipient_not_declarable' }));
  });

  it('is one party id of the token\'s issuer', () => {
    const t = token({ recipientHeader: true });
    for (const bad of ['', 'a, b', 'a,b', ['a', 'b'], '@partner-idp/lab', 'a b', 'x'.repeat(1025), 'caf\u00e9', 'a\tb']) {
      expect(() => withDeclaredRecipient(t, bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', reason: 'recipient_invalid' }));
    }
    for (const ok of ['lab', 'did:web:lab.example', 'urn:example:org:7', 'team/app@host', 'x'.repeat(1024)]) {
      expect(withDeclaredRecipient(t, ok).recipient).toBe(ok);
    }
  });
});
