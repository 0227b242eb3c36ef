/**
 * The command line itself: --version, --help on every command of the table, and exit 2
 * with a one-line message for whatever it does not understand.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { runCli } from '../helpers/cli.js';
import { COMMANDS } from '../../src/cli/commands.js';

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
// No mimtrust.yaml here: nothing a usage error could depend on.
const cwd = makeTempDir('usage');

describe('mimtrust --version and --help', () => {
  it.each(['--version', '-V'])('%s prints the version', async (flag) => {
    expect(await runCli([flag], { cwd })).toMatchObject({ code: 0, stdout: `mimtrust ${VERSION}\n`, stderr: '' });
  });

  it('lists every command', async () => {
    const r = await runCli(['--help'], { cwd });
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.words.join(' ')} `);
  });

  it.each(COMMANDS.map((c) => [c.words.join(' ')]))('mimtrust %s --help prints its usage and exits 0', async (name) => {
    for (const flag of ['--help', '-h']) {
      const r = await runCli([...name.split(' '), flag], { cwd });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout.startsWith(`usage: mimtrust ${name} `)).toBe(true);
      expect(r.stdout).toContain('-h, --help');
    }
  }, 30_000);

  it('token --help lists the token options even with the others wrong', async () => {
    const r = await runCli(['token', '--ttl', 'x', '--help'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--sub NAME');
    expect(r.stdout).toContain('--ttl SEC');
  });

  it('a command group lists its commands', async () => {
    const r = await runCli(['audit', '--help'], { cwd });
    expect(r.code).toBe(0);
    for (const sub of ['verify', 'list', 'tail', 'export']) expect(r.stdout).toContain(`audit ${sub}`);
  });
});

describe('a command line not understood exits 2 with one line', () => {
  it.each([
    [[], /^usage: mimtrust <command>/],
    [['frobnicate'], /^mimtrust: unknown command "frobnicate"; see mimtrust --help$/],
    [['audit'], /^mimtrust: audit needs a command; see mimtrust audit --help$/],
    [['audit', 'delete'], /^mimtrust: unknown audit command "delete"; see mimtrust audit --help$/],
    [['token', '--bogus'], /^mimtrust: unknown option --bogus; see mimtrust token --help$/],
    [['start', '--port', '80'], /^mimtrust: unknown option --port; see mimtrust start --help$/],
    [['token'], /^mimtrust: --sub is required; see mimtrust token --help$/],
    [['token', '--sub'], /^mimtrust: option --sub needs a value; see mimtrust token --help$/],
    [['token', '--sub', 'alice', '--ttl', '1h'], /^mimtrust: --ttl must be a whole number from 1 to 86400 seconds/],
    [['audit', 'list', '--limit', '0'], /^mimtrust: --limit must be a whole number from 1 to/],
    [['audit', 'list', '--effect', 'maybe'], /^mimtrust: --effect must be one of permit, deny; see mimtrust audit list --help$/],
    [['audit', 'list', '--since', 'last tuesday'], /^mimtrust: --since must be an ISO 8601 time/],
    [['audit', 'export', '--format', 'xml'], /^mimtrust: --format must be one of json, csv/],
    [['audit', 'verify', 'extra'], /^mimtrust: unexpected argument; see mimtrust audit verify --help$/],
    [['health', '--timeout', '-5'], /^mimtrust: option --timeout needs a value/],
  ])('mimtrust %j', async (args, message) => {
    const r = await runCli(args, { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd()).toMatch(message);
    if (args.length > 0) expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  }, 30_000);
});
