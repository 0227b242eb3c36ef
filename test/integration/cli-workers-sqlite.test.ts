/**
 * `mimtrust start --workers 2` on the embedded SQLite store, run as an operator runs it: a
 * primary and two worker processes on one port and one data file. Requests reach both
 * workers, each appending to its own audit segment of the file, and `audit verify` checks
 * both (and names the one altered); a contract deleted and a consent withdrawn through one
 * worker hold on the other at once; a second `mimtrust start` on the file is refused while
 * the primary holds it; a worker killed under load is started again and no segment is
 * broken. Attacks spread over the workers fail as on one process: a DPoP proof is accepted
 * once whichever worker sees it again, and wrong passwords at the city's issuer count
 * together, so past the limit even the right one waits. `audit list` names each record's
 * segment. Needs `npm run build`.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent } from 'undici';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, type Harness } from '../helpers/harness.js';
import { startMiniBroker, type MiniBroker } from '../helpers/mini-broker.mjs';
import { makeTempDir } from '../helpers/temp-dir.js';
import { CLI, runCli, startCli, waitForLine } from '../helpers/cli.js';
import { typeReadContract } from '../helpers/contracts.js';
import { dpopProof, thumbprint, type ProofKey } from '../helpers/dpop.js';
import { IssuerBrowser, OIDC_ISSUER, actionOf, csrfOf, location, pathOf } from '../helpers/oidc.js';
import { loadConfig } from '../../src/config/index.js';
import { loadOrCreateSigningKey } from '../../src/keys/index.js';
import { issueLocalToken, LOCAL_ISSUER_KEY_NAME } from '../../src/issuer/index.js';
import { GATEWAY_NODE_FLAGS } from '../../src/app/index.js';

const E = '/ngsi-ld/v1/entities';
const ALICE_METER = 'urn:ngsi-ld:EnergyMeter:alice';
const CAROL_PASSWORD = 'carol has a long password';
/** Failed logins per account and address before the issuer makes the next attempt wait. */
const LOGIN_LIMIT = 3;


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
  /** Any request on a connection of its own, as a browser's or a client's may come; answers as a harness does. */
  const workers: Pick<Harness, 'call'> = {
    async call(method, path, opts = {}) {
      const agent = new Agent({ connect: { ca } });
      try {
        const headers: Record<string, string | string[]> = { ...(opts.headers ?? {}) };
        if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
        const res = await agent.request({ origin, path, method, headers, ...(opts.rawBody === undefined ? {} : { body: opts.rawBody }) });
        const text = await res.body.text();
        return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
      } finally {
        await agent.close();
      }
    },
  };
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
    // Credentials on, for the trusted issuers list the admin API changes; the city's issuer
    // on, with a low login limit, for the wrong passwords spread over the workers.
    writeFileSync(join(dir, 'mimtrust.yaml'), [
      'credentials:', '  enabled: true',
      'oidc:', '  enabled: true', `  issuer: ${OIDC_ISSUER}`,
      `  loginThrottle: { perAccountAndAddress: ${LOGIN_LIMIT}, perAddress: 1000, perAccount: 1000, windowSec: 600 }`, '',
    ].join('\n'));
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
    execFileSync(process.execPath, [CLI, 'accounts', 'add', '--username', 'carol'], { cwd: dir, env, input: `${CAROL_PASSWORD}\n` });
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

  it('forks its workers with the gateway\'s node flags, though the primary was started without them', () => {
    const workers = serving();
    expect(workers.length).toBeGreaterThanOrEqual(2);
    for (const { pid } of workers) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      for (const flag of GATEWAY_NODE_FLAGS) expect(argv, `worker pid ${pid}`).toContain(flag);
    }
    expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')).not.toContain(GATEWAY_NODE_FLAGS[0]);
  });

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

  it('accepts a DPoP proof once, whichever worker sees it again: sent again and again, or many times at once', async () => {
    const admin = mint('--sub', 'city-admin', '--roles', 'contract-admin');
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const holder: ProofKey = { privateKey, publicJwk: await exportJWK(publicKey) };
    const { config } = loadConfig(undefined, env, dir);
    const bound = await issueLocalToken(await loadOrCreateSigningKey(config.keysDir, LOCAL_ISSUER_KEY_NAME), config.localIssuer, {
      sub: 'dpop-app', roles: ['viewer'], dpopJkt: await thumbprint(holder), ttlSec: 300,
    });
    const path = `${E}?type=Bus`;
    const read = (proof: string) => workers.call('GET', path, { headers: { authorization: `DPoP ${bound}`, dpop: proof } });
    const proof = () => dpopProof(holder, { htm: 'GET', htu: `${origin}${E}`, accessToken: bound });
    expect((await call('POST', '/admin/contracts', admin, typeReadContract('urn:test:workers-dpop', 'Bus'))).status).toBe(201);
    try {
      // Both workers enforce the contract before the proofs are counted.
      const deadline = Date.now() + 5000;
      let fresh: number[] = [];
      while (Date.now() < deadline && (fresh = await Promise.all([1, 2, 3, 4].map(async () => (await read(await proof())).status))).some((st) => st !== 200)) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(fresh).toEqual([200, 200, 200, 200]);
      // One after another on fresh connections: the workers take them in turn, each sees it three times.
      const once = await proof();
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await read(once));
      expect(answers.map((r) => r.status)).toEqual([200, 401, 401, 401, 401, 401]);
      for (const r of answers.slice(1)) {
        expect(r.json().reason).toBe('dpop_proof_replayed');
        expect(r.text).not.toContain(once);
      }
      // All at once: exactly one acceptance among them.
      for (let round = 0; round < 3; round++) {
        const p = await proof();
        const together = (await Promise.all(Array.from({ length: 6 }, () => read(p)))).map((r) => r.status);
        expect(together.sort()).toEqual([200, 401, 401, 401, 401, 401]);
      }
    } finally {
      expect((await call('DELETE', `/admin/contracts/${encodeURIComponent('urn:test:workers-dpop')}`, admin)).status).toBe(204);
    }
    expect(await settle(path, mint('--sub', 'viewer-app', '--roles', 'viewer'), 403)).toEqual(Array(8).fill(403));
  }, 60_000);

  it('counts wrong passwords at the city\'s issuer across the workers: sent at once, no more tries than the limit, then even the right password waits', async () => {
    const browser = new IssuerBrowser(workers);
    const signIn = await browser.get('/wallet/sign-in');
    expect(signIn.status).toBe(303);
    const authorized = await browser.get(pathOf(location(signIn)));
    expect(authorized.status).toBe(303);
    const page = await browser.get(pathOf(location(authorized)));
    expect(page.text).toContain('name="password"');
    const attempt = (password: string) => browser.post(actionOf(page.text), new URLSearchParams({ csrf: csrfOf(page.text), username: 'carol', password }));
    // All at once, each on a connection of its own: the workers take them in turn.
    const wrong = await Promise.all(Array.from({ length: LOGIN_LIMIT + 4 }, (_, i) => attempt(`a wrong password ${i}`)));
    // A try is an answer after the password was checked (400); past the limit it is not checked (429).
    expect(wrong.filter((r) => r.status === 400)).toHaveLength(LOGIN_LIMIT);
    const refused = wrong.filter((r) => r.status === 429);
    expect(refused).toHaveLength(4);
    for (const r of refused) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    // And one after another, as before: no more tries.
    expect((await attempt('another wrong password')).status).toBe(429);
    for (let i = 0; i < 2; i++) {
      const right = await attempt(CAROL_PASSWORD);
      expect(right.status).toBe(429);
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    }
  }, 60_000);

  it('names each record\'s segment in audit list, where the workers\' seqs repeat', async () => {
    // Every record: the newest few may all come from one worker, whose seqs run ahead of the other's.
    const listed = await runCli(['audit', 'list', '--limit', '1000000'], { cwd: dir, env });
    expect(listed.code, listed.stderr).toBe(0);
    const records = listed.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { segment?: string; seq: number });
    expect(new Set(records.map((r) => r.segment?.replace(/^i-[0-9a-f]{12}\./, '')))).toEqual(new Set(['w0', 'w1']));
    const places = records.map((r) => `${r.segment} ${r.seq}`);
    expect(new Set(places).size).toBe(records.length);
    // Each worker counts its own: the same seq shows in both segments.
    expect(new Set(records.map((r) => r.seq)).size).toBeLessThan(records.length);
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
