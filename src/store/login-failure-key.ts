import { createHash } from 'node:crypto';

/**
 * The row key of a failed login in either store: a hash of the kind of key and the key
 * (account, address or both), so the database never holds a username or an address.
 */
export function loginFailureKey(name: string, key: string): string {
  return createHash('sha256').update(`${name}\u0000${key}`).digest('base64url');
}
