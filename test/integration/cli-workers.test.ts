/**
 * `mimtrust start --workers 2`, run as an operator runs it: a primary and two worker
 * processes on one port. With an in-memory store more than one worker is refused, once
 * (SQLite files: cli-workers-sqlite.test.ts). On PostgreSQL
 * (MIMTRUST_TEST_POSTGRES_URL): requests reach both workers, each writing its own audit
 * segment that `audit verify` checks; a contract replaced through one worker is enforced
 * by every worker; a count limit of N permits N requests in all under concurrent load
 * spread over both; one scrape of the metrics counts the requests of both; a worker killed
 * is started again and the service goes on; SIGTERM stops them all cleanly.
 * Needs `npm run build`.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/harness.js';
import { startMiniBroker, type MiniBroker } from '../helpers/mini-broker.mjs';
import { makeTempDir } from '../helpers/temp-dir.js';
import { CLI, runCli, startCli, waitForLine } from '../helpers/cli.js';
import { freshSchema, havePostgres, warnIfNoPostgres, type TestSchema } from '../helpers/postgres.js';

warnIfNoPostgres('mimtrust start --workers 2 on PostgreSQL');

const E = '/ngsi-ld/v1/entities';

const busContract = (type: string) => ({
  '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
  '@type': 'Set',
  uid: 'urn:test:workers',
  profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
  permission: [{
    uid: 'urn:test:workers:read',
    target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: type }] },
    action: 'ngsi:read',
  }],
});

function baseEnv(dir: string, broker: MiniBroker): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MIMTRUST_PORT: '0',
    MIMTRUST_UPSTREAM_URL: broker.url,
    MIMTRUST_POLICIES_DIR: join(REPO, 'policies'),
    MIMTRUST_CONTRACTS_DIR: join(REPO, 'test', 'fixtures', 'contracts-consent'),
    MIMTRUST_STORE_PATH: join(dir, 'data', 'mimtrust.db'),
    MIMTRUST_LOG_LEVEL: 'info',
  };
}

describe('mimtrust start --workers with an in-memory store', () => {
  it('refuses more than one worker, saying so once, and a worker count that is not a number', async () => {
    const broker = await startMiniBroker();
    const dir = makeTempDir('workers');
    try {
      const refused = await runCli(['start', '--workers', '2'], { cwd: dir, env: { ...baseEnv(dir, broker), MIMTRUST_STORE_PATH: ':memory:' } });
      expect(refused.code).toBe(1);
      const lines = refused.stderr.split('\n').filter((l) => l.includes('workers'));
      expect(lines).toEqual(['mimtrust: config key "workers": more than one worker needs a store on disk (store.path or store.url): an in-memory store is one process\'s own']);
      const bad = await runCli(['start', '--workers', 'two'], { cwd: dir, env: baseEnv(dir, broker) });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--workers takes a whole number');
    } finally {
      await broker.close();
    }
  }, 60_000);
});

describe.skipIf(!havePostgres())('mimtrust start --workers 2 on PostgreSQL', () => {
  let schema: TestSchema;
  let broker: MiniBroker;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess;
  let output = '';
  let origin: string;
  let metricsUrl: string;
  let ca: Buffer;

  const mint = (...args: string[]): string => execFileSync(process.execPath, [CLI, 'token', ...args], { cwd: dir, env, encoding: 'utf8' }).trim();

  /** One request on a connection of its own: the primary hands each connection to a worker in turn. */
  async function call(method: string, path: string, token: string, body?: unknown): Promise<number> {
    const agent = new Agent({ connect: { ca } });
    try {
      const res = await agent.request({
        origin, path, method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/ld+json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      await res.body.dump();
      return res.statusCode;
    } finally {
      await agent.close();
    }
  }

  /** The worker slots whose "is serving" lines were printed, with their pids, in order. */
  const serving = (): Array<{ slot: number; pid: number }> =>
    [...output.matchAll(/worker (\d+) \(pid (\d+)\) is serving/g)].map((m) => ({ slot: Number(m[1]), pid: Number(m[2]) }));

  beforeAll(async () => {
    schema = await freshSchema();
    broker = await startMiniBroker();
    broker.seed({ id: 'urn:ngsi-ld:Bus:1', type: 'Bus', name: { type: 'Property', value: 'one' } });
    broker.seed({ id: 'urn:ngsi-ld:Tram:1', type: 'Tram', name: { type: 'Property', value: 'one' } });
    dir = makeTempDir('workers');
    env = { ...baseEnv(dir, broker), MIMTRUST_STORE_URL: schema.url, MIMTRUST_METRICS_PORT: '0' };
    child = startCli(['start', '--workers', '2'], { cwd: dir, env });
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    await waitForLine(child, /2 workers serving/, 60_000);
    origin = /listening on (https:\/\/[^,\s]+)/.exec(output)![1]!.replace('127.0.0.1', 'localhost');
    metricsUrl = /metrics of all 2 workers on (http:\/\/[^\s"]+)/.exec(output)![1]!;
    ca = readFileSync(join(dir, 'keys', 'tls-cert.pem'));
  }, 90_000);

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await broker?.close();
    await schema?.drop();
  });

  it('serves from both workers, each writing its own audit segment, and one scrape counts both', async () => {
    const viewer = mint('--sub', 'viewer-app', '--roles', 'viewer');
    const statuses = await Promise.all(Array.from({ length: 12 }, () => call('GET', `${E}?type=Bus`, viewer)));
    // The fixture contracts grant no Bus: every answer is a decided refusal, recorded.
    expect(new Set(statuses)).toEqual(new Set([403]));
    const segments = await schema.query<{ instance: string; n: string }>('SELECT instance, count(*) AS n FROM audit_records GROUP BY instance ORDER BY instance');
    expect(segments.map((s) => s.instance.replace(/^.*\./, ''))).toEqual(['w0', 'w1']);
    expect(segments.reduce((sum, s) => sum + Number(s.n), 0)).toBe(12);
    const text = await (await fetch(metricsUrl)).text();
    const denied = [...text.matchAll(/^mimtrust_requests_total\{[^}]*effect="deny"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(denied).toBe(12);
  }, 60_000);

  it('enforces a contract replaced through one worker on every worker', async () => {
    const admin = mint('--sub', 'city-admin', '--roles', 'contract-admin');
    const viewer = mint('--sub', 'viewer-app', '--roles', 'viewer');
    expect(await call('POST', '/admin/contracts', admin, busContract('Bus'))).toBe(201);
    // PostgreSQL tells the other worker within milliseconds; then every connection, whichever worker takes it, agrees.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await Promise.all([1, 2, 3, 4].map(() => call('GET', `${E}?type=Bus`, viewer)))).some((s) => s !== 200)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await Promise.all(Array.from({ length: 8 }, () => call('GET', `${E}?type=Bus`, viewer)))).toEqual(Array(8).fill(200));
    expect(await call('PUT', `/admin/contracts/${encodeURIComponent('urn:test:workers')}`, admin, busContract('Tram'))).toBe(200);
    const until = Date.now() + 5000;
    while (Date.now() < until && (await Promise.all([1, 2, 3, 4].map(() => call('GET', `${E}?type=Bus`, viewer)))).some((s) => s !== 403)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await Promise.all(Array.from({ length: 8 }, () => call('GET', `${E}?type=Bus`, viewer)))).toEqual(Array(8).fill(403));
    expect(await Promise.all(Array.from({ length: 8 }, () => call('GET', `${E}?type=Tram`, viewer)))).toEqual(Array(8).fill(200));
  }, 60_000);

  it('permits exactly N requests in all under a count limit of N, however many go to each worker at once', async () => {
    const admin = mint('--sub', 'city-admin', '--roles', 'contract-admin');
    const viewer = mint('--sub', 'counted-app', '--roles', 'viewer');
    const quota = {
      ...busContract('Tram'),
      uid: 'urn:test:workers-quota',
      permission: [{ ...busContract('Tram').permission[0], uid: 'urn:test:workers-quota:read', constraint: [{ leftOperand: 'count', operator: 'lteq', rightOperand: 5, 'ngsi:period': 'PT1H' }] }],
    };
    // The Tram grant above would permit without a count: taken away first.
    expect(await call('DELETE', `/admin/contracts/${encodeURIComponent('urn:test:workers')}`, admin)).toBe(204);
    expect(await call('POST', '/admin/contracts', admin, quota)).toBe(201);
    const deadline = Date.now() + 5000;
    // Both workers hold the new contract once a request by another caller is permitted on each.
    const other = mint('--sub', 'probe-app', '--roles', 'viewer');
    while (Date.now() < deadline && (await Promise.all([1, 2, 3, 4].map(() => call('GET', `${E}?type=Tram`, other)))).some((s) => s !== 200)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const statuses = await Promise.all(Array.from({ length: 24 }, () => call('GET', `${E}?type=Tram`, viewer)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 403)).toBe(true);
    // Every permitted decision and every refusal is in one of the two segments.
    const permitted = await schema.query<{ n: string }>("SELECT count(*) AS n FROM audit_records WHERE sub = 'counted-app' AND effect = 'permit' AND reason = 'before_effect'");
    expect(Number(permitted[0]!.n)).toBe(5);
  }, 60_000);

  it('starts a killed worker again, and the service goes on', async () => {
    const viewer = mint('--sub', 'viewer-app', '--roles', 'viewer');
    const victim = serving().find((s) => s.slot === 1)!;
    process.kill(victim.pid, 'SIGKILL');
    await waitForLine(child, new RegExp(`worker 1 \\(pid (?!${victim.pid}\\))\\d+\\) is serving`), 30_000);
    expect(output).toMatch(new RegExp(`worker 1 \\(pid ${victim.pid}\\) exited \\(SIGKILL\\); starting it again in \\d+ ms`));
    expect(await Promise.all(Array.from({ length: 8 }, () => call('GET', `${E}?type=Bus`, viewer)))).toEqual(Array(8).fill(403));
  }, 60_000);

  it('audit verify checks the segment of every worker', async () => {
    const verify = await runCli(['audit', 'verify'], { cwd: dir, env });
    expect(verify.code).toBe(0);
    expect(verify.stdout.match(/^instance i-[0-9a-f]{12}\.w[01]: audit log intact: \d+ records/gm)).toHaveLength(2);
  }, 60_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    const pids = serving().map((s) => s.pid);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const alive = pids.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } });
    expect(alive).toEqual([]);
  }, 60_000);
});
