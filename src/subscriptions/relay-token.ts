/**
 * The relay URL's secret: 256 random bits in the path, so only the broker that was given
 * the URL can post notifications to it. Only its SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function newRelayToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a token; undefined for anything that cannot be one. */
export function relayHashOf(token: string): string | undefined {
  if (!TOKEN.test(token)) return undefined;
  return createHash('sha256').update(token).digest('base64url');
}

export function relayUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/${token}`;
}
