/**
 * README lists every MIMTRUST_* environment variable mimtrust reads: a variable read in
 * src/ or scripts/ without a row in README's table fails here.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/harness.js';
import { ENV_OVERRIDES } from '../../src/config/index.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

describe('README, Environment variables', () => {
  it('has a row for every MIMTRUST_ variable the code and scripts read', () => {
    const read = new Set<string>();
    for (const file of [...files(join(REPO, 'src')), ...files(join(REPO, 'scripts'))]) {
      // Read as env.NAME, named in a string (the overrides table, valueEnv), or expanded by the shell.
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:env\.|['"`]|\$\{?)(MIMTRUST_[A-Z0-9_]+)\b/g)) read.add(m[1]!);
    }
    // The scan finds what it must: the overrides table and the configuration file's variable.
    for (const [name] of ENV_OVERRIDES) expect(read).toContain(name);
    expect(read).toContain('MIMTRUST_CONFIG');
    const section = README.slice(README.indexOf('### Environment variables'));
    expect([...read].filter((name) => !section.includes(`| \`${name}\` |`))).toEqual([]);
  });
});
