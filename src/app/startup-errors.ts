/**
 * What stops a start, said in one line: the configuration key, the path or port it names,
 * and what to do about it. Checked before anything is opened where that can be known
 * beforehand (folders), and translated from the system error where it cannot (files
 * read, the port taken); the system error stays the `cause`, shown only at debug level.
 */
import { accessSync, constants, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../errors/index.js';
import { ENV_OVERRIDES } from '../config/index.js';
import { INSTANCE_ID_FILE, InstanceIdError, loadOrCreateInstanceId } from '../store/index.js';

export type StartupErrorCode =
  | 'ERR_START_FILE_UNREADABLE'
  | 'ERR_START_FOLDER_UNWRITABLE'
  | 'ERR_START_INSTANCE_ID_UNWRITABLE'
  | 'ERR_START_CONTRACTS_MISSING'
  | 'ERR_START_PORT_IN_USE'
  | 'ERR_START_LISTEN_REFUSED';

export class StartupError extends CodedError<StartupErrorCode> {
  readonly code: StartupErrorCode;
  /** The configuration key at fault. */
  readonly key: string;

  constructor(code: StartupErrorCode, key: string, message: string, cause?: unknown) {
    super(`${key}: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'StartupError';
    this.code = code;
    this.key = key;
  }
}

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EROFS: 'read-only file system',
  // What mkdir says when a file stands where a folder should be made.
  EEXIST: 'a file is in the way',
};

function errnoWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? 'unknown error' : (ERRNO_WORDS[code] ?? code);
}

/** "change KEY (ITS_VARIABLE)": how the operator changes the key. */
function change(key: string): string {
  const env = ENV_OVERRIDES.find(([, k]) => k === key)?.[0];
  return env === undefined ? `change ${key}` : `change ${key} (${env})`;
}

/** A file the configuration names, read whole; missing or unreadable stops the start. */
export function readConfiguredFile(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new StartupError('ERR_START_FILE_UNREADABLE', key, `cannot read ${path} (${errnoWords(err)}); put the file there or ${change(key)}`, err);
  }
}

/** A folder the gateway writes in: made when missing, and refused when it cannot be written. */
export function ensureWritableFolder(key: string, folder: string): void {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (!statSync(folder).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(folder, constants.W_OK);
  } catch (err) {
    throw folderUnwritable(key, folder, err);
  }
}

export function folderUnwritable(key: string, folder: string, cause: unknown): StartupError {
  return new StartupError('ERR_START_FOLDER_UNWRITABLE', key, `cannot write in ${folder} (${errnoWords(cause)}); make it a folder this user${uid()} can write, or ${change(key)}`, cause);
}

function uid(): string {
  return typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
}

/**
 * The instance's name on a shared store: configured, or kept in a file beside store.path.
 * A file that cannot be read or written there stops the start naming it, and store.instance,
 * which makes the file unnecessary.
 */
export function instanceIdFor(configured: string | null, folder: string): string {
  try {
    return loadOrCreateInstanceId(configured, folder);
  } catch (err) {
    if (err instanceof InstanceIdError) throw err;
    const path = join(folder, INSTANCE_ID_FILE);
    throw new StartupError('ERR_START_INSTANCE_ID_UNWRITABLE', 'store.instance',
      `cannot keep the generated instance id in ${path} (${errnoWords(err)}); set store.instance (MIMTRUST_STORE_INSTANCE), or make ${folder} a folder this user${uid()} can write`, err);
  }
}

/**
 * The contracts folder must exist: an absent one (a typo, a volume not mounted) would
 * start a gateway that denies everything and looks healthy.
 */
export function requireContractsFolder(folder: string): void {
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    // Reported below, the same for a missing path and an unreadable one.
  }
  if (!isFolder) {
    throw new StartupError('ERR_START_CONTRACTS_MISSING', 'contractsDir', `no folder at ${folder}; create it (an empty folder denies every request) or ${change('contractsDir')}`);
  }
}

/** The listener's system error as a StartupError naming host and port; undefined for others. */
export function listenError(err: unknown, listen: { host: string; port: number }): StartupError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError('ERR_START_PORT_IN_USE', 'listen.port', `${where} is already in use; stop what listens there or ${change('listen.port')}`, err);
    case 'EACCES':
    case 'EPERM':
      return new StartupError('ERR_START_LISTEN_REFUSED', 'listen.port', `not allowed to listen on ${where} (${errnoWords(err)}); use a port above 1023 or ${change('listen.port')}`, err);
    case 'EADDRNOTAVAIL':
      return new StartupError('ERR_START_LISTEN_REFUSED', 'listen.host', `${listen.host} is not an address of this machine; ${change('listen.host')}`, err);
    default:
      return undefined;
  }
}
