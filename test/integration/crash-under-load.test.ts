/**
 * No decision whose response left is lost in a crash: the gateway (the real command, on
 * its embedded SQLite store) is killed outright (SIGKILL) while clients keep reading
 * through it; afterwards the audit log is intact and holds at least one permitted record
 * for every answer the clients saw. Bounded: eight clients for about a second and a half.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent } from 'undici';
import { REPO } from '../helpers/harness.js';
import { startMiniBroker } from '../helpers/mini-broker.mjs';
import { makeTempDir } from '../helpers/temp-dir.js';
import { CLI, finished, waitForLine } from '../helpers/cli.js';

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

describe('a crash under load', () => {
  it('loses no record of a decision whose response left, and leaves the chain intact', async () => {
    const broker = await startMiniBroker();
    broker.seed({ id: 'urn:ngsi-ld:ParkingSpot:1', type: 'ParkingSpot', status: { type: 'Property', value: 'free' } });
    const dir = makeTempDir('crash');
    const env = {
      ...process.env, MIMTRUST_PORT: '0', MIMTRUST_UPSTREAM_URL: broker.url, MIMTRUST_POLICIES_DIR: join(REPO, 'policies'),
      MIMTRUST_CONTRACTS_DIR: join(REPO, 'contracts'), MIMTRUST_LOG_LEVEL: 'info',
      // The single gateway killed outright (a worker killed under load: cli-workers-sqlite.test.ts).
      MIMTRUST_WORKERS: '1',
    };
    child = spawn(process.execPath, [CLI, 'start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await waitForLine(child, /listening on (https:\/\/[^,\s]+)/);
    const origin = /https:\/\/[^,\s]+/.exec(line)![0].replace('127.0.0.1', 'localhost');
    const token = execFileSync(process.execPath, [CLI, 'token', '--sub', 'alice', '--roles', 'viewer'], { cwd: dir, env, encoding: 'utf8' }).trim();
    const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'keys', 'tls-cert.pem')) }, connections: 8 });

    let answered = 0;
    let stop = false;
    const client = async (): Promise<void> => {
      while (!stop) {
        try {
          const res = await agent.request({ origin, path: '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:1', method: 'GET', headers: { authorization: `Bearer ${token}` } });
          await res.body.dump();
          if (res.statusCode === 200) answered++;
        } catch {
          return; // the gateway is gone
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await new Promise((r) => setTimeout(r, 1500));
    const gone = finished(child);
    child.kill('SIGKILL');
    expect((await gone).signal).toBe('SIGKILL');
    stop = true;
    await Promise.all(clients);
    await agent.close();
    await broker.close();
    expect(answered).toBeGreaterThan(0);

    const verify = execFileSync(process.execPath, [CLI, 'audit', 'verify'], { cwd: dir, env, encoding: 'utf8' });
    expect(verify).toMatch(/audit log intact/);
    const db = new Database(join(dir, 'data', 'mimtrust.db'), { readonly: true });
    try {
      // Decisions only: a read's outcome record follows its answer, and may be lost in the crash.
      const { n } = db.prepare("SELECT count(*) AS n FROM audit_records WHERE operation = 'entity.retrieve' AND effect = 'permit' AND reason = 'before_effect'").get() as { n: number };
      expect(n).toBeGreaterThanOrEqual(answered);
    } finally {
      db.close();
    }
  }, 60_000);
});
