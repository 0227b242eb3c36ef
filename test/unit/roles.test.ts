import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { RoleChecker, RolePolicyError, parseRoleCsv } from '../../src/policy/roles.js';

const model = readFileSync(new URL('../../policies/model.conf', import.meta.url), 'utf8');

describe('roles with tenant domains', () => {
  it('applies the shipped policy: inheritance, tenant scope, wildcard actions', async () => {
    const roles = await RoleChecker.fromFiles(new URL('../../policies', import.meta.url).pathname);
    const cases: Array<[string[], string | undefined, Parameters<RoleChecker['allows']>[2], boolean]> = [
      [['viewer'], undefined, 'read', true],
      [['viewer'], 'mobility', 'readTemporal', true],
      [['viewer'], undefined, 'create', false],
      [['provider'], 'mobility', 'read', true], // inherited from viewer in every tenant
      [['provider'], 'mobility', 'create', true],
      [['provider'], undefined, 'delete', false],
      [['operator'], undefined, 'delete', true],
      [['operator'], undefined, 'manageContexts', true],
      [['operator'], 'mobility', 'delete', false], // operator's wildcard is for the default tenant only
      [['operator'], 'mobility', 'read', false], // and its inheritance of provider too
      [['mobility-editor'], 'mobility', 'delete', true],
      [['mobility-editor'], undefined, 'read', false],
      [['mobility-editor'], 'parking', 'read', false],
      [[], undefined, 'read', false],
      [['nobody'], undefined, 'read', false],
      [['nobody', 'viewer'], undefined, 'read', true],
    ];
    for (const [r, tenant, action, expected] of cases) {
      expect(roles.allows(r, tenant, action), `${r.join(',')} ${tenant} ${action}`).toBe(expected);
      expect(roles.allows(r, tenant, action), 'memoised answer is the same').toBe(expected);
    }
  });

  it('a tenant literally named like the default domain cannot borrow its grants', async () => {
    const roles = await RoleChecker.fromText(model, 'p, operator, @default, *\n');
    expect(roles.allows(['operator'], undefined, 'delete')).toBe(true);
    expect(roles.allows(['operator'], 'default', 'delete')).toBe(false);
  });

  it('reads tenant names in the one lowercase form requests are decided on', async () => {
    const roles = await RoleChecker.fromText(model, 'p, editor, City, create\ng, helper, editor, MOBILITY\n');
    expect(roles.allows(['editor'], 'city', 'create')).toBe(true);
    expect(roles.allows(['editor'], 'City', 'create')).toBe(false); // requests arrive canonical
    expect(roles.allows(['helper'], 'mobility', 'create')).toBe(false);
  });

  it('refuses a policy line with a typo, naming the file and line', () => {
    expect(() => parseRoleCsv('p, viewer, *, read\np, viewer, *, raed\n', 'roles.csv')).toThrowError(RolePolicyError);
    expect(() => parseRoleCsv('p, viewer, *, raed\n', 'roles.csv')).toThrowError(/roles\.csv:1: unknown action "raed"/);
    expect(() => parseRoleCsv('\n# c\nx, a, b, c\n', 'r.csv')).toThrowError(/r\.csv:3/);
    expect(() => parseRoleCsv('p, viewer, bad tenant!, read\n', 'r.csv')).toThrowError(/invalid tenant/);
    expect(() => parseRoleCsv('g, a, b\n', 'r.csv')).toThrowError(/a g line/);
  });

  it('refuses a provider grant naming a provider that is not configured', () => {
    expect(() => parseRoleCsv('p, a, *, manageContracts:parking\n', 'r.csv', new Set(['transit']))).toThrowError(/r\.csv:1: no provider "parking" is configured/);
    expect(() => parseRoleCsv('p, a, *, manageContracts:Parking\n', 'r.csv')).toThrowError(/unknown action/);
    expect(() => parseRoleCsv('p, a, *, manageContracts:\n', 'r.csv')).toThrowError(/unknown action/);
    expect(parseRoleCsv('p, a, *, manageContracts:parking\n', 'r.csv', new Set(['parking'])).p).toEqual([['a', '*', 'manageContracts:parking']]);
  });
});

describe('provider grants', () => {
  const csv = [
    'p, operator, @default, *',
    'p, everything, *, *',
    'p, city-admin, *, manageContracts',
    'p, parking-admin, *, manageContracts:parking',
    'p, parking-mobility, mobility, manageContracts:parking',
    'g, alice, parking-admin, *',
    'p, transit-admin, *, manageContracts:transit',
  ].join('\n');

  it('acts for the provider the line names, in the tenants it names, inherited through roles', async () => {
    const roles = await RoleChecker.fromText(model, csv, { providers: new Set(['parking', 'transit']) });
    expect(roles.actsFor(['parking-admin'], undefined, 'parking')).toBe(true);
    expect(roles.actsFor(['parking-admin'], 'mobility', 'parking')).toBe(true);
    expect(roles.actsFor(['alice'], 'mobility', 'parking')).toBe(true);
    expect(roles.actsFor(['parking-admin'], undefined, 'transit')).toBe(false);
    expect(roles.actsFor(['parking-mobility'], 'mobility', 'parking')).toBe(true);
    expect(roles.actsFor(['parking-mobility'], undefined, 'parking')).toBe(false);
    expect(roles.actsFor(['parking-mobility'], '*', 'parking')).toBe(false);
    expect(roles.actsFor(['parking-admin'], '*', 'parking')).toBe(true);
  });

  it('no wildcard and no plain manageContracts grant acts for a provider', async () => {
    const roles = await RoleChecker.fromText(model, csv);
    for (const r of ['operator', 'everything', 'city-admin']) expect(roles.actsFor([r], undefined, 'parking'), r).toBe(false);
    expect(roles.allows(['city-admin'], undefined, 'manageContracts')).toBe(true);
    expect(roles.allows(['parking-admin'], undefined, 'manageContracts')).toBe(false);
  });
});


describe('inherited roles, as contracts see them', () => {
  it('adds what each role inherits in the tenant and in every tenant, as the model reads g lines', async () => {
    const roles = await RoleChecker.fromFiles(new URL('../../policies', import.meta.url).pathname);
    expect([...roles.withInherited(['provider'], 'mobility')].sort()).toEqual(['provider', 'viewer']);
    expect([...roles.withInherited(['operator'], undefined)].sort()).toEqual(['operator', 'provider']);
    // operator inherits provider in the default tenant only.
    expect(roles.withInherited(['operator'], 'mobility')).toEqual(['operator']);
    const plain = ['viewer'];
    expect(roles.withInherited(plain, undefined)).toBe(plain);
  });

  it('follows chains and survives cycles', async () => {
    const roles = await RoleChecker.fromText(model, 'p, c, *, read\ng, a, b, *\ng, b, c, *\ng, c, a, *\n');
    expect([...roles.withInherited(['a'], 't1')].sort()).toEqual(['a', 'b', 'c']);
  });
});
