/**
 * Citizens' local accounts, for logging in at the city's own OIDC issuer: a username, a
 * scrypt hash (password.ts) and an id that becomes the token `sub` (accounts.ts). Kept by
 * an AccountStore (src/store implements it, on SQLite and on PostgreSQL, where every
 * instance reads the same accounts); added, listed and disabled with `mimtrust accounts`. A disabled account cannot log in, and the issuer stops renewing its
 * tokens. A citizen who logs in through an upstream identity provider gets an account of
 * their own on first login, linked to that provider's subject, with no password here.
 */
export { Accounts, USERNAME, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './accounts.js';
export { hashPassword, verifyPassword, SCRYPT_DEFAULTS } from './password.js';
export { NO_PASSWORD } from './store.js';
export type { Account, AccountStore } from './store.js';
