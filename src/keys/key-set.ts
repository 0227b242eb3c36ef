/**
 * A signing key set kept in `keysDir/<name>.jwks.json` (private, owner-only), newest key
 * first, with its public half beside it. Rotation puts a new key in front and keeps the
 * older ones, so tokens they signed stay verifiable until they expire.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ensureDir, readIfExists, writePublicFile, writeSecretFile } from './files.js';

export interface KeySet {
  /** Private JWKs, newest (the one that signs) first. */
  keys: JWK[];
  /** The same keys without their private parts, for a JWKS. */
  publicKeys: JWK[];
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

function publicOf(jwk: JWK): JWK {
  return Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE_MEMBERS.includes(k)));
}

async function newKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' };
}

function save(keysDir: string, name: string, keys: JWK[]): KeySet {
  ensureDir(keysDir);
  writeSecretFile(join(keysDir, `${name}.jwks.json`), JSON.stringify({ keys }, null, 2) + '\n');
  const publicKeys = keys.map(publicOf);
  writePublicFile(join(keysDir, `${name}.pub.jwks.json`), JSON.stringify({ keys: publicKeys }, null, 2) + '\n');
  return { keys, publicKeys };
}

function read(keysDir: string, name: string): JWK[] | undefined {
  const text = readIfExists(join(keysDir, `${name}.jwks.json`));
  return text === undefined ? undefined : (JSON.parse(text) as { keys: JWK[] }).keys;
}

/** The key set, made with one ES256 key on first use. */
export async function loadOrCreateKeySet(keysDir: string, name: string): Promise<KeySet> {
  const keys = read(keysDir, name);
  if (keys !== undefined && keys.length > 0) return { keys, publicKeys: keys.map(publicOf) };
  return save(keysDir, name, [await newKey()]);
}

/** Adds a new signing key in front of the others; returns the set as now stored. */
export async function rotateKeySet(keysDir: string, name: string): Promise<KeySet> {
  return save(keysDir, name, [await newKey(), ...(read(keysDir, name) ?? [])]);
}

/** A random secret kept in `keysDir/<name>.secret` (owner-only), made on first use: base64url, 32 bytes. */
export function loadOrCreateSecret(keysDir: string, name: string): string {
  const path = join(keysDir, `${name}.secret`);
  const existing = readIfExists(path)?.trim();
  if (existing) return existing;
  ensureDir(keysDir);
  const secret = randomBytes(32).toString('base64url');
  writeSecretFile(path, secret + '\n');
  return secret;
}
