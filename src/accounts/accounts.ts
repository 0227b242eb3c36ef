/**
 * Citizens' local accounts: added and disabled by the operator (`mimtrust accounts`),
 * checked at the issuer's login. A failed login says nothing about which part was wrong,
 * and an unknown username costs as much time as a wrong password.
 */
import { randomUUID } from 'node:crypto';
import { MimtrustError } from '../errors/index.js';
import { hashPassword, verifyPassword } from './password.js';
import { NO_PASSWORD, type Account, type AccountStore } from './store.js';

/** Lowercase letters, digits, `.`, `_` and `-`: what a person can type and an operator can read. */
export const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

export class Accounts {
  /** Hashed once, compared against when the username is unknown, so both take as long. */
  private decoy: Promise<string> | undefined;

  constructor(private readonly store: AccountStore, private readonly hash: (password: string) => Promise<string> = hashPassword) {}

  async add(username: string, password: string, now: number): Promise<Account> {
    if (!USERNAME.test(username)) {
      throw new MimtrustError('BAD_REQUEST', 'A username is 1 to 64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit.', { reason: 'account_username_invalid' });
    }
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      throw new MimtrustError('BAD_REQUEST', `A password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`, { reason: 'account_password_invalid' });
    }
    if (await this.store.byUsername(username) !== undefined) {
      throw new MimtrustError('CONFLICT', 'This username is taken.', { reason: 'account_exists' });
    }
    const account: Account = { id: randomUUID(), username, passwordHash: await this.hash(password), createdAt: new Date(now).toISOString() };
    try {
      await this.store.add(account);
    } catch (err) {
      // Another instance (or command) took the name between the check and the insert.
      if (await this.store.byUsername(username) !== undefined) throw new MimtrustError('CONFLICT', 'This username is taken.', { reason: 'account_exists' });
      throw err;
    }
    return account;
  }

  /**
   * The account an upstream identity provider's subject logs in as, made on its first login
   * with a username taken from the name the provider suggests (or `citizen`), numbered when
   * taken. It has no password here, so it can log in only through that provider; undefined
   * when the account is disabled.
   */
  async linked(identity: { issuer: string; subject: string }, suggestedName: string | undefined, now: number): Promise<Account | undefined> {
    const known = await this.knownAs(identity);
    if (known !== undefined) return known.disabledAt === undefined ? known : undefined;
    const base = usernameFrom(suggestedName);
    for (let n = 1; n <= 101; n++) {
      const username = n <= 100 ? (n === 1 ? base : `${base.slice(0, 60)}-${n}`) : `citizen-${randomUUID().slice(0, 8)}`;
      if (n <= 100 && await this.store.byUsername(username) !== undefined) continue;
      const account: Account = { id: randomUUID(), username, passwordHash: NO_PASSWORD, createdAt: new Date(now).toISOString() };
      try {
        await this.store.addLinked(account, identity);
        return account;
      } catch (err) {
        // The same first login finished on another instance, or the name was taken meanwhile.
        const raced = await this.knownAs(identity);
        if (raced !== undefined) return raced.disabledAt === undefined ? raced : undefined;
        if (n > 100 || await this.store.byUsername(username) === undefined) throw err;
      }
    }
    return undefined;
  }

  private knownAs(identity: { issuer: string; subject: string }): Promise<Account | undefined> {
    return this.store.byIdentity(identity.issuer, identity.subject);
  }

  /** The account the credentials belong to, or undefined: unknown, wrong password or disabled alike. */
  async login(username: string, password: string): Promise<Account | undefined> {
    const account = USERNAME.test(username) && password.length <= MAX_PASSWORD_LENGTH ? await this.store.byUsername(username) : undefined;
    if (account === undefined) {
      this.decoy ??= this.hash('not a password of anyone');
      await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH), await this.decoy);
      return undefined;
    }
    const ok = await verifyPassword(password, account.passwordHash);
    return ok && account.disabledAt === undefined ? account : undefined;
  }

  /** An account that may still log in, by its id (a token's `sub`). */
  async active(id: string): Promise<Account | undefined> {
    const account = await this.store.byId(id);
    return account?.disabledAt === undefined ? account : undefined;
  }

  list(): Promise<Account[]> {
    return this.store.list();
  }

  async disable(username: string, now: number): Promise<void> {
    if (!await this.store.disable(username, new Date(now).toISOString())) {
      throw new MimtrustError('NOT_FOUND', 'There is no such account.', { reason: 'account_not_found' });
    }
  }
}

/** A name an upstream provider suggests, made into a username: lowercase, other characters as `-`. */
function usernameFrom(suggested: string | undefined): string {
  const name = (suggested ?? '').normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '').slice(0, 64);
  return USERNAME.test(name) ? name : 'citizen';
}
