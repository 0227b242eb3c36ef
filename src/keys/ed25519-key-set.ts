/**
 * An Ed25519 key set for Data Integrity proofs, kept in `keysDir/<name>.multikeys.json`
 * (private, owner-only) as Multikey multibase strings, newest first, with the public
 * halves beside it. Rotation puts a new key in front and keeps the older ones, so what
 * they signed stays verifiable.
 */
import { join } from 'node:path';
import { ensureDir, readIfExists, writePublicFile, writeSecretFile } from './files.js';

export interface Ed25519Key {
  publicKeyMultibase: string;
  secretKeyMultibase: string;
  /** ISO 8601. */
  createdAt: string;
}

async function newKey(now: number): Promise<Ed25519Key> {
  // Loaded when a key is made: the start of a process that only reads keys does without it.
  const { generate } = await import('@digitalbazaar/ed25519-multikey');
  const pair = await generate();
  const exported = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
  return {
    publicKeyMultibase: String(exported.publicKeyMultibase),
    secretKeyMultibase: String(exported.secretKeyMultibase),
    createdAt: new Date(now).toISOString(),
  };
}

function read(keysDir: string, name: string): Ed25519Key[] | undefined {
  const text = readIfExists(join(keysDir, `${name}.multikeys.json`));
  return text === undefined ? undefined : (JSON.parse(text) as { keys: Ed25519Key[] }).keys;
}

function save(keysDir: string, name: string, keys: Ed25519Key[]): Ed25519Key[] {
  ensureDir(keysDir);
  writeSecretFile(join(keysDir, `${name}.multikeys.json`), JSON.stringify({ keys }, null, 2) + '\n');
  const publicKeys = keys.map((k) => ({ publicKeyMultibase: k.publicKeyMultibase, createdAt: k.createdAt }));
  writePublicFile(join(keysDir, `${name}.pub.multikeys.json`), JSON.stringify({ keys: publicKeys }, null, 2) + '\n');
  return keys;
}

/** The key set, made with one key on first use. */
export async function loadOrCreateEd25519KeySet(keysDir: string, name: string, now = Date.now()): Promise<Ed25519Key[]> {
  const keys = read(keysDir, name);
  if (keys !== undefined && keys.length > 0) return keys;
  return save(keysDir, name, [await newKey(now)]);
}

/** Adds a new signing key in front of the others; returns the set as now stored. */
export async function rotateEd25519KeySet(keysDir: string, name: string, now = Date.now()): Promise<Ed25519Key[]> {
  return save(keysDir, name, [await newKey(now), ...(read(keysDir, name) ?? [])]);
}
