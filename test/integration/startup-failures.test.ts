/**
 * `mimtrust start` on what an operator gets wrong: each refusal is one line naming the
 * key and the path or port, a non-zero exit, and no stack trace unless asked for. And one
 * writer per store: a second gateway on the same data file is refused while the first
 * runs, and a first one killed outright (SIGKILL, no clean-up) does not block a restart.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { REPO } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { finished, runCli, startCli, waitForLine, type CliResult } from '../helpers/cli.js';

const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

/** A fresh folder to start in, and an environment that would start cleanly there. */
function setup(extra: Record<string, string> = {}): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = makeTempDir('start');
  const env = {
    ...process.env,
    MIMTRUST_HOST: '127.0.0.1',
    MIMTRUST_PORT: '0',
    MIMTRUST_UPSTREAM_URL: 'http://127.0.0.1:9',
    MIMTRUST_POLICIES_DIR: join(REPO, 'policies'),
    MIMTRUST_CONTRACTS_DIR: join(REPO, 'contracts'),
    // Only what stops the start is printed: the refusal must be the whole of stderr.
    MIMTRUST_LOG_LEVEL: 'error',
    // One process, so each refusal comes from the gateway itself, once.
    MIMTRUST_WORKERS: '1',
    ...extra,
  };
  return { dir, env };
}

function refusal(r: CliResult): string {
  expect(r.code).toBe(1);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

function start(dir: string, env: NodeJS.ProcessEnv): ChildProcess {
  const p = startCli(['start'], { cwd: dir, env });
  running.push(p);
  return p;
}

describe('a start that cannot succeed', () => {
  it('names the port that is taken', async () => {
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as { port: number }).port;
    try {
      const { dir, env } = setup({ MIMTRUST_PORT: String(port) });
      const line = refusal(await runCli(['start'], { cwd: dir, env }));
      expect(line).toBe(`mimtrust: listen.port: 127.0.0.1:${port} is already in use; stop what listens there or change listen.port (MIMTRUST_PORT)`);
    } finally {
      holder.close();
    }
  }, 30_000);

  it('names a certificate file that is missing', async () => {
    const { dir, env } = setup();
    const cert = join(dir, 'certs', 'gateway.pem');
    const r = await runCli(['start'], { cwd: dir, env: { ...env, MIMTRUST_TLS_CERT: cert, MIMTRUST_TLS_KEY: join(dir, 'certs', 'gateway.key') } });
    expect(refusal(r)).toBe(`mimtrust: tls.cert: cannot read ${cert} (no such file or folder); put the file there or change tls.cert (MIMTRUST_TLS_CERT)`);
  }, 30_000);

  it('names a contracts folder that is missing instead of starting to deny everything', async () => {
    const { dir, env } = setup();
    const missing = join(dir, 'contract');
    const r = await runCli(['start'], { cwd: dir, env: { ...env, MIMTRUST_CONTRACTS_DIR: missing } });
    expect(refusal(r)).toBe(`mimtrust: contractsDir: no folder at ${missing}; create it (an empty folder denies every request) or change contractsDir (MIMTRUST_CONTRACTS_DIR)`);
  }, 30_000);

  it('names a data folder it cannot write in', async () => {
    const { dir, env } = setup();
    // A file where the folder should be: refused for any user, root included.
    writeFileSync(join(dir, 'data'), 'not a folder');
    const r = await runCli(['start'], { cwd: dir, env });
    const line = refusal(r);
    expect(line).toContain(`store.path: cannot write in ${join(dir, 'data')} (`);
    expect(line).toContain('or change store.path (MIMTRUST_STORE_PATH)');
  }, 30_000);

  it('names the instance-id file it cannot keep on a shared store, and store.instance', async () => {
    const { dir, env } = setup();
    // A file where the data folder should be: the generated name cannot be kept there, for any user, root included.
    writeFileSync(join(dir, 'data'), 'not a folder');
    const r = await runCli(['start'], {
      cwd: dir,
      // The name is settled before the database is asked anything: this address is never reached.
      env: { ...env, MIMTRUST_STORE_URL: 'postgres://mimtrust@127.0.0.1:9/mimtrust', MIMTRUST_STORE_PATH: join(dir, 'data', 'mimtrust.db') },
    });
    const line = refusal(r);
    expect(line).toContain(`store.instance: cannot keep the generated instance id in ${join(dir, 'data', 'instance-id')} (`);
    expect(line).toContain('set store.instance (MIMTRUST_STORE_INSTANCE)');
    expect(line).not.toMatch(/ENOTDIR|EEXIST|errno/);
  }, 30_000);

  it('shows the stack trace behind the line at log level debug', async () => {
    const { dir, env } = setup();
    const r = await runCli(['start'], { cwd: dir, env: { ...env, MIMTRUST_CONTRACTS_DIR: join(dir, 'nowhere'), MIMTRUST_LOG_LEVEL: 'debug' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('mimtrust: contractsDir: no folder at');
    expect(r.stderr).toMatch(/^\s+at /m);
  }, 30_000);
});

describe('one gateway per store', () => {
  it('refuses a second instance on the same data file, naming the file and the pid of the first, and lets read-only commands run beside it', async () => {
    const { dir, env } = setup();
    // The first one says when it listens (an info line); the second's refusal is all it prints.
    const first = start(dir, { ...env, MIMTRUST_LOG_LEVEL: 'info' });
    await waitForLine(first, /listening on/);
    const second = refusal(await runCli(['start'], { cwd: dir, env }));
    expect(second).toBe(`mimtrust: store.path: ${join(dir, 'data', 'mimtrust.db')} is in use by another mimtrust (pid ${first.pid}); stop that instance, or give this one a store.path of its own`);
    const verify = await runCli(['audit', 'verify'], { cwd: dir, env });
    expect(verify.stdout).toContain('audit log intact: 0 records');
    expect(verify.code).toBe(0);
    const list = await runCli(['audit', 'list'], { cwd: dir, env });
    expect(list).toMatchObject({ code: 0, stdout: '' });
    const validate = await runCli(['contracts', 'validate'], { cwd: dir, env });
    expect(validate.code).toBe(0);
  }, 60_000);

  it('starts again after the first instance was killed without a chance to clean up', async () => {
    const { dir, env } = setup({ MIMTRUST_LOG_LEVEL: 'info' });
    const first = start(dir, env);
    await waitForLine(first, /listening on/);
    const gone = finished(first);
    first.kill('SIGKILL');
    expect((await gone).signal).toBe('SIGKILL');
    const again = start(dir, env);
    expect(await waitForLine(again, /listening on https:\/\/127\.0\.0\.1:\d+/)).toMatch(/listening on/);
  }, 60_000);
});
