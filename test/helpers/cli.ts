/**
 * The built `mimtrust` command (dist/: run `npm run build` first), run as a child process
 * the way an operator runs it. Asynchronous, so a gateway running in the test's own
 * process keeps serving while the command runs.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './harness.js';

export const CLI = join(REPO, 'dist', 'cli', 'index.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `mimtrust ARGS` with piped output. */
export function startCli(args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with everything a running command printed, once it has exited. */
export function finished(proc: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs `mimtrust ARGS` to its end with `input` on its standard input (a password, say). */
export function runCliWithInput(args: readonly string[], input: string, opts: SpawnOptions = {}): Promise<CliResult> {
  const proc = spawn(process.execPath, [CLI, ...args], { ...opts, stdio: ['pipe', 'pipe', 'pipe'] });
  proc.stdin.end(input);
  return finished(proc);
}

/** Runs `mimtrust ARGS` to its end. */
export function runCli(args: readonly string[], opts: SpawnOptions = {}): Promise<CliResult> {
  return finished(startCli(args, opts));
}

/** Resolves with the first match of `pattern` in what the process prints (stdout and stderr together). */
export function waitForLine(proc: ChildProcess, pattern: RegExp, timeoutMs = 45_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output: ${seen}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = pattern.exec(seen);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    };
    proc.stderr!.on('data', onData);
    proc.stdout!.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}: ${seen}`)); });
  });
}
