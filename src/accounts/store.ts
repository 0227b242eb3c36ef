/**
 * What the accounts module needs kept; src/store implements it on SQLite and on PostgreSQL,
 * where several gateway instances read the same accounts.
 */

/** Matches no password: verifyPassword accepts only its own scrypt format. */
export const NO_PASSWORD = '!';
export interface Account {
  /** The token `sub`: fixed for good, never reused. */
  id: string;
  username: string;
  /** Scrypt hash; NO_PASSWORD for an account that logs in only through an upstream provider. */
  passwordHash: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; absent while the account may log in. */
  disabledAt?: string;
}

export interface AccountStore {
  /** Throws when the username is taken. */
  add(account: Account): Promise<void>;
  byUsername(username: string): Promise<Account | undefined>;
  byId(id: string): Promise<Account | undefined>;
  list(): Promise<Account[]>;
  /** Resolves false when there is no such account. */
  disable(username: string, at: string): Promise<boolean>;
  /** The account an upstream identity provider's subject logs in as. */
  byIdentity(issuer: string, subject: string): Promise<Account | undefined>;
  /** Adds the account and links the identity to it, both or neither; throws when either is taken. */
  addLinked(account: Account, identity: { issuer: string; subject: string }): Promise<void>;
}
