/**
 * A gateway's name among those sharing one PostgreSQL store: its audit chain segment is
 * kept under it. Configured (store.instance), or generated once and kept in a file of the
 * gateway's own data folder, so a restart goes on with its own segment.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../errors/index.js';

export const INSTANCE_ID_FILE = 'instance-id';
const VALID = /^[A-Za-z0-9._-]{1,64}$/;

export class InstanceIdError extends CodedError<'ERR_STORE_INSTANCE_INVALID'> {
  readonly code = 'ERR_STORE_INSTANCE_INVALID';
  constructor(path: string) {
    super(`${path} does not hold an instance id (up to 64 letters, digits, '.', '_' or '-'); set store.instance or remove the file`);
    this.name = 'InstanceIdError';
  }
}

function kept(path: string): string {
  const id = readFileSync(path, 'utf8').trim();
  if (!VALID.test(id)) {
    throw new InstanceIdError(path);
  }
  return id;
}

/** The configured id, else the one kept in `folder`, else a new one written there. */
export function loadOrCreateInstanceId(configured: string | null, folder: string): string {
  if (configured !== null) return configured;
  const path = join(folder, INSTANCE_ID_FILE);
  if (existsSync(path)) return kept(path);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const id = `i-${randomBytes(6).toString('hex')}`;
  // 'wx': of two starts racing in one folder, the second reads what the first wrote.
  try {
    writeFileSync(path, `${id}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return kept(path);
    throw err;
  }
  return id;
}

/** The id a gateway with this configuration writes its audit segment under, or undefined when none was ever made. */
export function readInstanceId(configured: string | null, folder: string): string | undefined {
  if (configured !== null) return configured;
  const path = join(folder, INSTANCE_ID_FILE);
  return existsSync(path) ? kept(path) : undefined;
}
