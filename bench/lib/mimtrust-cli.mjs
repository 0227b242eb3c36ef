/**
 * mimtrust started as an operator starts it, `mimtrust start [--workers N] --config file`,
 * from the compiled CLI, for benchmarks that measure whole deployments: a free port, the
 * wait for /health, the processes that serve (the workers, not the primary that only hands
 * connections over) and their CPU time and resident memory read from /proc.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CHILDREN = new Set();

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export const childPids = (pid) => execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);

export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** User + system CPU time of the processes (all their threads), in ms; Linux clock ticks are 10 ms. */
export function cpuMsOf(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

export async function waitHealthy(url, ca, ms = 60_000) {
  const agent = new Agent({ connect: { ca } });
  const end = Date.now() + ms;
  try {
    while (Date.now() < end) {
      try {
        const res = await agent.request({ origin: url, path: '/health', method: 'GET' });
        await res.body.dump();
        if (res.statusCode === 200) return;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${url} did not become healthy`);
  } finally {
    await agent.close();
  }
}

/**
 * Writes `config` (its `listen` set to a free port on 127.0.0.1) to `home`/mimtrust.json
 * and starts `mimtrust start --workers N` there; resolves once /health answers, with the
 * URL (as `localhost`, the certificate's name), the pids serving and, with workers, the
 * primary's pid (it supervises and serves nothing, so its memory is reported apart).
 */
export async function startMimtrust({ home, config, workers, ca }) {
  const port = await freePort();
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'mimtrust.json'), JSON.stringify({ ...config, listen: { host: '127.0.0.1', port } }));
  // As `npm start` and the image start it: with the gateway's node flags (src/app/node-flags.ts).
  const { GATEWAY_NODE_FLAGS } = await import('../../dist/app/node-flags.js');
  const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, join(REPO, 'dist', 'cli', 'index.js'), 'start', '--workers', String(workers), '--config', join(home, 'mimtrust.json')], {
    cwd: home, stdio: ['ignore', 'ignore', 'inherit'],
  });
  CHILDREN.add(child);
  child.once('exit', () => CHILDREN.delete(child));
  const url = `https://localhost:${port}`;
  await waitHealthy(url, typeof ca === 'function' ? ca() : ca);
  // One process without workers; otherwise the workers (the primary only forwards connections).
  const pids = workers === 1 ? [child.pid] : childPids(child.pid);
  return { url, pids, primary: workers === 1 ? undefined : child.pid, stop: () => new Promise((resolve) => { if (child.exitCode !== null || child.signalCode !== null) return resolve(); child.once('exit', resolve); child.kill('SIGTERM'); }) };
}

/** Kills every mimtrust started here that is still running. */
export function killMimtrusts() {
  for (const c of CHILDREN) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
