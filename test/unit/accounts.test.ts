/**
 * Citizens' accounts on each real store (SQLite, and PostgreSQL when the test database is
 * set): scrypt hashes with a salt of their own, a login that fails alike for an unknown
 * name, a wrong password and a disabled account, accounts linked to an upstream identity.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Accounts, hashPassword, verifyPassword } from '../../src/accounts/index.js';
import { BACKENDS, type OpenedStores } from '../helpers/store-backends.js';

// A low cost keeps the unit tests quick; the format and checks are the same as with the default.
const CHEAP = { N: 1024, r: 8, p: 1 };
const cheapHash = (pw: string) => hashPassword(pw, CHEAP);
const PASSWORD = 'correct horse battery';

describe('password hashes', () => {
  it('are scrypt with their cost and a salt of their own, never the password', async () => {
    const a = await hashPassword(PASSWORD, CHEAP);
    const b = await hashPassword(PASSWORD, CHEAP);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('horse');
  });

  it('the default cost is scrypt N = 2^15', async () => {
    expect(await hashPassword(PASSWORD)).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('verify the right password only', async () => {
    const h = await hashPassword(PASSWORD, CHEAP);
    expect(await verifyPassword(PASSWORD, h)).toBe(true);
    expect(await verifyPassword('correct horse battery ', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
  });

  it('a malformed or tampered hash matches nothing', async () => {
    const h = await hashPassword(PASSWORD, CHEAP);
    expect(await verifyPassword(PASSWORD, 'plain')).toBe(false);
    expect(await verifyPassword(PASSWORD, h.replace('scrypt$1024', 'scrypt$2048'))).toBe(false);
    const parts = h.split('$');
    parts[5] = Buffer.alloc(32).toString('base64url');
    expect(await verifyPassword(PASSWORD, parts.join('$'))).toBe(false);
  });
});

describe.each(BACKENDS)('accounts on $name', (backend) => {
  let stores: OpenedStores;
  let accounts: Accounts;

  beforeEach(async () => {
    stores = await backend.open();
    accounts = new Accounts(stores.accounts, cheapHash);
  });

  afterEach(() => stores.close());

  it('add one with a fresh id as its token sub, stored hashed', async () => {
    const acc = await accounts.add('alice', PASSWORD, Date.parse('2026-01-01T00:00:00Z'));
    expect(acc.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(acc.createdAt).toBe('2026-01-01T00:00:00.000Z');
    const stored = await stores.accounts.byUsername('alice');
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(stored?.passwordHash).not.toContain('horse');
    expect((await accounts.active(acc.id))?.username).toBe('alice');
  });

  it('refuse a taken username, a malformed one and a short password', async () => {
    await accounts.add('alice', PASSWORD, 0);
    await expect(accounts.add('alice', PASSWORD, 0)).rejects.toMatchObject({ code: 'CONFLICT', reason: 'account_exists' });
    await expect(accounts.add('Alice', PASSWORD, 0)).rejects.toMatchObject({ reason: 'account_username_invalid' });
    await expect(accounts.add('a b', PASSWORD, 0)).rejects.toMatchObject({ reason: 'account_username_invalid' });
    await expect(accounts.add('bob', 'short', 0)).rejects.toMatchObject({ reason: 'account_password_invalid' });
    expect((await accounts.list()).map((a) => a.username)).toEqual(['alice']);
  });

  it('two adds of one name at once: one account, the other told the name is taken', async () => {
    const both = await Promise.allSettled([accounts.add('alice', PASSWORD, 0), new Accounts(stores.accounts, cheapHash).add('alice', PASSWORD, 0)]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT', reason: 'account_exists' } });
    expect(await accounts.list()).toHaveLength(1);
  });

  it('log in with the right password only; an unknown name and a wrong password answer alike', async () => {
    const acc = await accounts.add('alice', PASSWORD, 0);
    expect((await accounts.login('alice', PASSWORD))?.id).toBe(acc.id);
    expect(await accounts.login('alice', 'wrong password here')).toBeUndefined();
    expect(await accounts.login('mallory', PASSWORD)).toBeUndefined();
    expect(await accounts.login("alice' OR 1=1 --", PASSWORD)).toBeUndefined();
  });

  it('a disabled account cannot log in and is no longer active; disabling keeps the first time', async () => {
    const acc = await accounts.add('alice', PASSWORD, 0);
    await accounts.disable('alice', Date.parse('2026-02-01T00:00:00Z'));
    await accounts.disable('alice', Date.parse('2026-03-01T00:00:00Z'));
    expect(await accounts.login('alice', PASSWORD)).toBeUndefined();
    expect(await accounts.active(acc.id)).toBeUndefined();
    expect((await accounts.list())[0]?.disabledAt).toBe('2026-02-01T00:00:00.000Z');
    await expect(accounts.disable('nobody', 0)).rejects.toMatchObject({ reason: 'account_not_found' });
  });

  it('an upstream identity gets one account, named after its suggestion, numbered when taken, with no password', async () => {
    await accounts.add('emile', PASSWORD, 0);
    const id = { issuer: 'https://idp.example', subject: 's-1' };
    const first = await accounts.linked(id, 'Émile', 0);
    expect(first?.username).toBe('emile-2');
    expect((await accounts.linked(id, 'Someone Else', 0))?.id).toBe(first?.id);
    expect(await accounts.login('emile-2', '!')).toBeUndefined();
    await accounts.disable('emile-2', 0);
    expect(await accounts.linked(id, 'Émile', 0)).toBeUndefined();
  });

  it('the same first upstream login finishing twice at once links one account', async () => {
    const id = { issuer: 'https://idp.example', subject: 's-2' };
    const [a, b] = await Promise.all([accounts.linked(id, 'zoe', 0), new Accounts(stores.accounts, cheapHash).linked(id, 'zoe', 0)]);
    expect(a?.id).toBeDefined();
    expect(b?.id).toBe(a?.id);
    expect((await accounts.list()).map((x) => x.username)).toEqual(['zoe']);
  });
});
