import { describe, expect, it } from 'vitest';
import { MimtrustError } from '../../src/errors/index.js';
import { compileClaimPath, extractBearerToken, readStringList } from '../../src/auth/index.js';
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
