import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Parse sub-command options strictly: an unknown flag is an error, not ignored. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  return parseArgs({ args, options, strict: true, allowPositionals: true });
}

export function list(value: string | undefined): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}
