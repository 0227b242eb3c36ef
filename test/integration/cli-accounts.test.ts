/**
 * `mimtrust accounts` and `mimtrust issuer rotate-key` from dist/: the password only from
 * standard input, never from an argument; a disabled account listed as such; a rotation
 * that keeps the old key in the published set.
 */
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CLI = join(REPO, 'dist', 'cli', 'index.js');

function setup(): { dir: string; run: (args: string[], input?: string) => ReturnType<typeof spawnSync> } {
  const dir = makeTempDir('cli-accounts');
  writeFileSync(join(dir, 'mimtrust.json'), JSON.stringify({ store: { path: join(dir, 'mimtrust.db') }, keysDir: join(dir, 'keys') }));
  const config = join(dir, 'mimtrust.json');
  return {
    dir,
    run: (args, input) => spawnSync(process.execPath, [CLI, ...args, '--config', config], { cwd: dir, input: input ?? '', encoding: 'utf8' }),
  };
}

describe('mimtrust accounts', () => {
  // Several node processes one after another: a loaded machine needs room.
  it('adds with the password from standard input, lists, and disables', { timeout: 120_000 }, () => {
    const { run } = setup();
    const added = run(['accounts', 'add', '--username', 'alice'], 'a long enough password\n');
    expect(added.status, String(added.stderr)).toBe(0);
    const [id] = String(added.stdout).trim().split('\t');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(String(run(['accounts', 'list']).stdout)).toMatch(new RegExp(`^${id}\\talice\\t\\S+\\tactive$`, 'm'));
    expect(run(['accounts', 'disable', '--username', 'alice']).status).toBe(0);
    expect(String(run(['accounts', 'list']).stdout)).toMatch(/\talice\t\S+\tdisabled \S+$/m);
  });

  it('refuses a password given as an argument, a short password, a taken name and an unknown one', { timeout: 120_000 }, () => {
    const { run } = setup();
    expect(run(['accounts', 'add', '--username', 'bob', '--password', 'a long enough password']).status).not.toBe(0);
    const short = run(['accounts', 'add', '--username', 'bob'], 'short\n');
    expect(short.status).toBe(1);
    expect(String(short.stderr)).toMatch(/12 to 1024 characters/);
    expect(String(short.stderr)).not.toContain('short\n');
    expect(run(['accounts', 'add', '--username', 'bob'], 'a long enough password\n').status).toBe(0);
    expect(String(run(['accounts', 'add', '--username', 'bob'], 'another long password\n').stderr)).toMatch(/taken/);
    expect(run(['accounts', 'disable', '--username', 'nobody']).status).toBe(1);
  });
});

describe('mimtrust issuer rotate-key', () => {
  it('puts a new key in front and keeps the old one', { timeout: 60_000 }, () => {
    const { dir, run } = setup();
    expect(run(['issuer', 'rotate-key']).status).toBe(0);
    const first = JSON.parse(readFileSync(join(dir, 'keys', 'oidc-issuer.pub.jwks.json'), 'utf8')).keys;
    const out = execFileSync(process.execPath, [CLI, 'issuer', 'rotate-key', '--config', join(dir, 'mimtrust.json')], { cwd: dir, encoding: 'utf8' });
    const second = JSON.parse(readFileSync(join(dir, 'keys', 'oidc-issuer.pub.jwks.json'), 'utf8')).keys;
    expect(second).toHaveLength(first.length + 1);
    expect(second.slice(1)).toEqual(first);
    expect(out).toContain(second[0].kid);
    expect(second.every((k: Record<string, unknown>) => k.d === undefined)).toBe(true);
  });
});
