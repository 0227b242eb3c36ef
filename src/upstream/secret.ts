/**
 * A credential named in the configuration by value, by environment variable or by file,
 * so that secrets need not be written into the configuration file itself.
 */
import { readFileSync } from 'node:fs';

export interface SecretSource {
  value?: string | undefined;
  env?: string | undefined;
  file?: string | undefined;
}

/** Reads the secret once, at start; a missing or empty one stops the start naming the key. */
export function readSecret(source: SecretSource, key: string, env: NodeJS.ProcessEnv): string {
  let secret: string | undefined;
  let origin: string;
  if (source.value !== undefined) {
    secret = source.value;
    origin = key;
  } else if (source.env !== undefined) {
    secret = env[source.env];
    origin = `environment variable ${source.env} (${key}Env)`;
  } else if (source.file !== undefined) {
    origin = `file ${source.file} (${key}File)`;
    try {
      // A trailing newline is how editors and `echo` end a file, never part of a credential.
      secret = readFileSync(source.file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`${origin} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { cause: err });
    }
  } else {
    throw new Error(`${key}: no value, ${key}Env or ${key}File is set`);
  }
  if (secret === undefined || secret === '') throw new Error(`${origin} is empty or not set`);
  // A line break inside a header value would let the value add headers of its own.
  if (/[\r\n\0]/.test(secret)) throw new Error(`${origin} contains a line break or NUL`);
  return secret;
}
