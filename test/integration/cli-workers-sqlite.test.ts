/**
 * `mimtrust start --workers 2` on the embedded SQLite store, run as an operator runs it: a
 * primary and two worker processes on one port and one data file. Requests reach both
 * workers, each appending to its own audit segment of the file, and `audit verify` checks
 * both (and names the one altered); a contract deleted and a consent withdrawn through one
 * worker hold on the other at once; a second `mimtrust start` on the file is refused while
 * the primary holds it; a worker killed under load is started again and no segment is
 * broken. Needs `npm run build`.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/harness.js';
import { startMiniBroker, type MiniBroker } from '../helpers/mini-broker.mjs';
import { makeTempDir } from '../helpers/temp-dir.js';
import { CLI, runCli, startCli, waitForLine } from '../helpers/cli.js';
import { typeReadContract } from '../helpers/contracts.js';

const E = '/ngsi-ld/v1/entities';
const ALICE_METER = 'urn:ngsi-ld:EnergyMeter:alice';


interface Answer {
  status: number;
  json: () => Record<string, unknown>;
}

describe('mimtrust start --workers 2 on SQLite', () => {
  let broker: MiniBroker;
  let dir: string;
  let storePath: string;
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess;
  let output = '';
  let origin: string;
  let ca: Buffer;

  const mint = (...args: string[]): string => execFileSync(process.execPath, [CLI, 'token', ...args], { cwd: dir, env, encoding: 'utf8' }).trim();

  /** One request on a connection of its own: the primary hands each connection to a worker in turn. */
  async function call(method: string, path: string, token: string, body?: unknown): Promise<Answer> {
    const agent = new Agent({ connect: { ca } });
    try {
      const res = await agent.request({
        origin, path, method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.body.text();
      return { status: res.statusCode, json: () => JSON.parse(text) as Record<string, unknown> };
    } finally {
      await agent.close();
    }
  }
  const statuses = async (n: number, method: string, path: string, token: string): Promise<number[]> =>
    (await Promise.all(Array.from({ length: n }, () => call(method, path, token)))).map((r) => r.status);
  /** Asks in rounds of four until every answer is `status` (or the deadline passes), then 8 more at once. */
  async function settle(path: string, token: string, status: number): Promise<number[]> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await statuses(4, 'GET', path, token)).some((s) => s !== status)) await new Promise((r) => setTimeout(r, 20));
    return statuses(8, 'GET', path, token);
  }

  /** Records per audit segment, read from the file as any reader may while the workers write. */
  function segments(): Array<{ segment: string; n: number }> {
    const db = new Database(storePath, { readonly: true });
    try {
      return db.prepare('SELECT segment, count(*) AS n FROM audit_records GROUP BY segment ORDER BY segment').all() as Array<{ segment: string; n: number }>;
    } finally {
      db.close();
    }
  }

  const serving = (): Array<{ slot: number; pid: number }> =>
    [...output.matchAll(/worker (\d+) \(pid (\d+)\) is serving/g)].map((m) => ({ slot: Number(m[1]), pid: Number(m[2]) }));

  beforeAll(async () => {
    broker = await startMiniBroker();
    broker.seed({ id: 'urn:ngsi-ld:Bus:1', type: 'Bus', name: { type: 'Property', value: 'one' } });
    broker.seed({
      id: ALICE_METER, type: 'EnergyMeter',
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:alice' },
      totalActiveEnergyImport: { type: 'Property', value: 1234.5 },
    });
    dir = makeTempDir('workers-sqlite');
    // Credentials on, for the trusted issuers list the admin API changes.
    writeFileSync(join(dir, 'mimtrust.yaml'), 'credentials:\n  enabled: true\n');
    storePath = join(dir, 'data', 'mimtrust.db');
    env = {
      ...process.env,
      MIMTRUST_PORT: '0',
      MIMTRUST_UPSTREAM_URL: broker.url,
      MIMTRUST_POLICIES_DIR: join(REPO, 'policies'),
      MIMTRUST_CONTRACTS_DIR: join(REPO, 'test', 'fixtures', 'contracts-consent'),
      MIMTRUST_STORE_PATH: storePath,
      MIMTRUST_LOG_LEVEL: 'info',
    };
    child = startCli(['start', '--workers', '2'], { cwd: dir, env });
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    await waitForLine(child, /2 workers serving/, 60_000);
    origin = /listening on (https:\/\/[^,\s]+)/.exec(output)![1]!.replace('127.0.0.1', 'localhost');
    ca = readFileSync(join(dir, 'keys', 'tls-cert.pem'));
  }, 90_000);

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await broker?.close();
  });

  it('serves from both workers, each appending to its own segment of the file, both ready with the change feed up', async () => {
    const viewer = mint('--sub', 'viewer-app', '--roles', 'viewer');
    // The fixture contracts grant no Bus: every answer is a decided refusal, recorded.
    expect(new Set(await statuses(12, 'GET', `${E}?type=Bus`, viewer))).toEqual(new Set([403]));
    const written = segments();
    expect(written.map((s) => s.segment.replace(/^i-[0-9a-f]{12}\./, ''))).toEqual(['w0', 'w1']);
    expect(written.reduce((sum, s) => sum + s.n, 0)).toBe(12);
    const ready = await Promise.all([1, 2, 3, 4].map(() => call('GET', '/ready', viewer)));
    for (const r of ready) {
      expect(r.status).toBe(200);
      expect(r.json().checks).toMatchObject({ store: 'ok', changes: 'ok' });
    }
  }, 60_000);

  it('refuses a second mimtrust start on the same file while the primary holds it', async () => {
    const second = await runCli(['start'], { cwd: dir, env: { ...env, MIMTRUST_WORKERS: '1' } });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/store\.path: .*mimtrust\.db is in use by another mimtrust \(pid \d+\)/);
  }, 60_000);

  it('refuses a contract deleted through one worker on every worker', async () => {
    const admin = mint('--sub', 'city-admin', '--roles', 'contract-admin');
    const viewer = mint('--sub', 'viewer-app', '--roles', 'viewer');
    expect((await call('POST', '/admin/contracts', admin, typeReadContract('urn:test:workers-sqlite', 'Bus'))).status).toBe(201);
    expect(await settle(`${E}?type=Bus`, viewer, 200)).toEqual(Array(8).fill(200));
    expect((await call('DELETE', `/admin/contracts/${encodeURIComponent('urn:test:workers-sqlite')}`, admin)).status).toBe(204);
    // The deleting worker dropped the contract itself, the other hears it through the
    // primary within milliseconds; then every connection, whichever worker takes it, agrees.
    expect(await settle(`${E}?type=Bus`, viewer, 403)).toEqual(Array(8).fill(403));
  }, 60_000);

  it('refuses a token whose consent was withdrawn through one worker, on every worker', async () => {
    const citizen = mint('--sub', 'alice', '--scope', 'consents');
    const given = await call('POST', '/consents', citizen, {
      recipient: 'supplier-app', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'EnergyMeter', attributes: ['totalActiveEnergyImport', 'owner'] }],
    });
    expect(given.status).toBe(201);
    const id = given.json().id as string;
    const app = mint('--sub', 'supplier-app', '--roles', 'viewer', '--purpose', 'dpv:ServiceProvision', '--consent', id);
    const read = `${E}/${encodeURIComponent(ALICE_METER)}`;
    // Both workers read the record and keep it in memory.
    expect(await statuses(8, 'GET', read, app)).toEqual(Array(8).fill(200));
    expect((await call('POST', `/consents/${encodeURIComponent(id)}/withdraw`, citizen)).status).toBe(200);
    expect(await settle(read, app, 401)).toEqual(Array(8).fill(401));
    const after = await Promise.all(Array.from({ length: 8 }, () => call('GET', read, app)));
    expect(after.map((r) => r.status)).toEqual(Array(8).fill(401));
    expect(new Set(after.map((r) => r.json().reason))).toEqual(new Set(['consent_withdrawn']));
  }, 60_000);

  it('lists a trusted issuer put through one worker on every worker, and not once removed', async () => {
    const admin = mint('--sub', 'city-admin', '--roles', 'contract-admin');
    const did = 'did:web:chamber.example';
    const at = `/admin/trusted-issuers/${encodeURIComponent(did)}`;
    const listing = async (): Promise<boolean[]> => (await Promise.all(Array.from({ length: 8 }, () => call('GET', '/admin/trusted-issuers', admin))))
      .map((r) => (r.json() as unknown as Array<{ did: string }>).some((e) => e.did === did));
    const until = async (want: boolean): Promise<boolean[]> => {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && (await listing()).some((l) => l !== want)) await new Promise((r) => setTimeout(r, 20));
      return listing();
    };
    const put = await call('PUT', at, admin, { credentialTypes: ['OrganisationCredential'], roles: [{ claim: 'role', value: 'member', roles: ['viewer'] }] });
    expect(put.status).toBe(201);
    expect(await until(true)).toEqual(Array(8).fill(true));
    expect((await call('DELETE', at, admin)).status).toBe(204);
    expect(await until(false)).toEqual(Array(8).fill(false));
  }, 60_000);

  it('starts a worker killed with SIGKILL under load again, and no segment is broken', async () => {
    const viewer = mint('--sub', 'load-app', '--roles', 'viewer');
    const victim = serving().find((s) => s.slot === 1)!;
    let stop = false;
    const seen: number[] = [];
    const load = (async () => {
      while (!stop) {
        const got = await Promise.all([1, 2].map(() => call('GET', `${E}?type=Bus`, viewer).then((r) => r.status, () => 0)));
        seen.push(...got);
        // Steady load that leaves the shared cores room to start the worker again.
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    process.kill(victim.pid, 'SIGKILL');
    await waitForLine(child, new RegExp(`worker 1 \\(pid (?!${victim.pid}\\))\\d+\\) is serving`), 120_000);
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await load;
    expect(output).toMatch(new RegExp(`worker 1 \\(pid ${victim.pid}\\) exited \\(SIGKILL\\); starting it again in \\d+ ms`));
    // Answered requests were refusals; those cut by the kill got no answer at all (0), never another status.
    expect(seen.filter((s) => s === 403).length).toBeGreaterThan(0);
    expect(seen.every((s) => s === 403 || s === 0)).toBe(true);
    expect(await statuses(8, 'GET', `${E}?type=Bus`, viewer)).toEqual(Array(8).fill(403));
    const verify = await runCli(['audit', 'verify'], { cwd: dir, env });
    expect(verify.stdout.match(/^segment i-[0-9a-f]{12}\.w[01]: audit log intact: \d+ records/gm)).toHaveLength(2);
    expect(verify.code).toBe(0);
  }, 180_000);

  it('stops on SIGTERM; audit verify then names the segment whose record was altered', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const intact = await runCli(['audit', 'verify'], { cwd: dir, env });
    expect(intact.code).toBe(0);
    const w1 = segments().find((s) => s.segment.endsWith('.w1'))!.segment;
    const db = new Database(storePath);
    try {
      db.exec('DROP TRIGGER audit_records_no_update');
      db.prepare("UPDATE audit_records SET reason = 'altered' WHERE segment = ? AND seq = 2").run(w1);
    } finally {
      db.close();
    }
    const broken = await runCli(['audit', 'verify'], { cwd: dir, env });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`segment ${w1}: audit log BROKEN at record 2: hash_mismatch`);
    expect(broken.stdout).toMatch(/^segment i-[0-9a-f]{12}\.w0: audit log intact/m);
  }, 60_000);
});
