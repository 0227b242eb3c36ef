import { dirname } from 'node:path';
import type { Config } from '../config/index.js';
import { acquireStoreLock, StoreLockedError } from '../store/index.js';
import { ensureWritableFolder, folderUnwritable } from './startup-errors.js';

/**
 * The store's folder must be writable and the store not in use by another gateway (see
 * store/store-lock.ts); the lock is held until the gateway closes. None for an in-memory store,
 * nor for PostgreSQL, which several instances share. With several workers the primary
 * holds it for all of them, so a second `mimtrust start` on the file is still refused.
 */
export function claimStore(config: Config): { release(): void } | undefined {
  if (config.store.path === ':memory:' || config.store.url !== null) return undefined;
  const folder = dirname(config.store.path);
  ensureWritableFolder('store.path', folder);
  try {
    return acquireStoreLock(config.store.path);
  } catch (err) {
    if (err instanceof StoreLockedError) throw err;
    throw folderUnwritable('store.path', folder, err);
  }
}

