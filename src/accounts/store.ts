/** What the accounts module needs kept; src/store implements it on SQLite. */
export interface Account {
  /** The token `sub`: fixed for good, never reused. */
  id: string;
  username: string;
  passwordHash: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; absent while the account may log in. */
  disabledAt?: string;
}

export interface AccountStore {
  /** Throws when the username is taken. */
  add(account: Account): void;
  byUsername(username: string): Account | undefined;
  byId(id: string): Account | undefined;
  list(): Account[];
  /** Returns false when there is no such account. */
  disable(username: string, at: string): boolean;
}
