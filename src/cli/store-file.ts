import { existsSync } from 'node:fs';
import { openSqlite, type SqliteDatabase } from '../store/index.js';

/**
 * The store opened read-only, for the commands that only look (audit verify, list, tail,
 * export): they run while the gateway holds the store and never write to it. Undefined,
 * after saying so, when there is no store at the path.
 */
export function openStoreReadOnly(path: string): SqliteDatabase | undefined {
  if (!existsSync(path)) {
    process.stderr.write(`mimtrust: no audit store at ${path} (store.path)\n`);
    return undefined;
  }
  return openSqlite(path, { readonly: true });
}
