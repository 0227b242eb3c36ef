/**
 * What every instance must agree on, attacked across two real gateway processes
 * (`mimtrust start`, each its own process and data folder) on one PostgreSQL database, as
 * a deployment behind a load balancer runs them: a DPoP proof accepted by A and replayed to
 * B is refused there; a console session opened on A is good on B, and signing out on A
 * ends it on B; a count limit of N permits exactly N requests in all, however many go to
 * each instance at once. Needs MIMTRUST_TEST_POSTGRES_URL and `npm run build`.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, exportJWK } from 'jose';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, REPO, startIssuer, token, type Issuer } from '../helpers/harness.js';
import { startMiniBroker, type MiniBroker } from '../helpers/mini-broker.mjs';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startCli, waitForLine } from '../helpers/cli.js';
import { dpopProof, thumbprint, type ProofKey } from '../helpers/dpop.js';
import { freshSchema, havePostgres, warnIfNoPostgres, type TestSchema } from '../helpers/postgres.js';
import { typeReadContract } from '../helpers/contracts.js';

warnIfNoPostgres('state shared by two gateway processes on PostgreSQL');

const E = '/ngsi-ld/v1/entities';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const hiddenCsrf = (text: string) => /name="csrf" value="([^"]+)"/.exec(text)?.[1] ?? '';


interface Instance {
  child: ChildProcess;
  /** `https://localhost:port`: the origin a client names, whichever instance a balancer sends it to. */
  origin: string;
  output: () => string;
}

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

describe.skipIf(!havePostgres())('state shared by two gateway processes on one PostgreSQL database', () => {
  let schema: TestSchema;
  let broker: MiniBroker;
  let issuer: Issuer;
  let a: Instance;
  let b: Instance;
  let agent: Agent;

  async function start(name: string, settings: Record<string, unknown>): Promise<Instance> {
    const dir = join(settings.dir as string, name);
    mkdirSync(dir, { recursive: true });
    const { dir: _d, ...config } = settings;
    writeFileSync(join(dir, 'mimtrust.json'), JSON.stringify({ ...config, store: { ...(config.store as object), path: join(dir, 'data', 'mimtrust.db') } }));
    const child = startCli(['start', '--config', join(dir, 'mimtrust.json')], { cwd: dir });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    await waitForLine(child, /listening on https:/, 60_000);
    const origin = /listening on (https:\/\/[^,\s"]+)/.exec(output)![1]!.replace('127.0.0.1', 'localhost');
    return { child, origin, output: () => output };
  }

  /** A request sent to `to`, naming `as` as its origin (Host), as a load balancer passes it on. */
  async function call(to: Instance, method: string, path: string, o: { headers?: Record<string, string>; body?: string; as?: Instance } = {}): Promise<Answer> {
    const host = new URL((o.as ?? to).origin).host;
    const res = await agent.request({ origin: to.origin, path, method, headers: { host, ...(o.headers ?? {}) }, ...(o.body === undefined ? {} : { body: o.body }) });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  beforeAll(async () => {
    schema = await freshSchema();
    broker = await startMiniBroker();
    issuer = await startIssuer();
    broker.seed({ id: 'urn:ngsi-ld:Bus:1', type: 'Bus', name: { type: 'Property', value: 'one' } });
    broker.seed({ id: 'urn:ngsi-ld:Tram:1', type: 'Tram', name: { type: 'Property', value: 'one' } });
    const dir = makeTempDir('shared-state');
    const contracts = join(dir, 'contracts');
    mkdirSync(contracts);
    writeFileSync(join(contracts, 'buses.jsonld'), JSON.stringify(typeReadContract('urn:test:buses', 'Bus')));
    writeFileSync(join(contracts, 'trams.jsonld'), JSON.stringify(typeReadContract('urn:test:trams', 'Tram', [{ leftOperand: 'count', operator: 'lteq', rightOperand: 5, 'ngsi:period': 'PT1H' }])));
    const settings = {
      dir,
      listen: { host: '127.0.0.1', port: 0 },
      // One process each: two instances, as two hosts would run them.
      workers: 1,
      issuers: [{ issuer: ISSUER, jwksUri: issuer.url, audience: AUDIENCE, rolesClaim: 'roles', cityOwn: true }],
      keysDir: join(dir, 'keys'),
      store: { url: schema.url },
      policiesDir: join(REPO, 'policies'),
      contractsDir: contracts,
      upstream: { url: broker.url },
      logLevel: 'info',
    };
    // A first: it makes the deployment's TLS certificate, which B then finds.
    a = await start('a', settings);
    b = await start('b', settings);
    agent = new Agent({ connect: { ca: readFileSync(join(dir, 'keys', 'tls-cert.pem')), servername: 'localhost' } });
  }, 120_000);

  afterAll(async () => {
    for (const i of [a, b]) {
      if (i === undefined || i.child.exitCode !== null) continue;
      const exited = new Promise((r) => i.child.once('exit', r));
      i.child.kill('SIGTERM');
      await exited;
    }
    await agent?.close();
    await broker?.close();
    await issuer?.close();
    await schema?.drop();
  }, 60_000);

  it('refuses on B a DPoP proof A accepted, and on A one B accepted', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const holder: ProofKey = { privateKey, publicJwk: await exportJWK(publicKey) };
    const bound = await token(issuer, { roles: ['viewer'], extra: { cnf: { jkt: await thumbprint(holder) } } });
    const read = async (to: Instance, proof: string) => call(to, 'GET', `${E}?type=Bus`, { as: a, headers: { authorization: `DPoP ${bound}`, dpop: proof } });
    const proof = await dpopProof(holder, { htm: 'GET', htu: `${a.origin}${E}`, accessToken: bound });
    expect((await read(a, proof)).status).toBe(200);
    const replayed = await read(b, proof);
    expect(replayed.status).toBe(401);
    expect(JSON.parse(replayed.text)).toMatchObject({ reason: 'dpop_proof_replayed' });
    expect(replayed.text).not.toContain(proof);
    // The other way round, and at once: of the same proof sent to both together, one is accepted.
    const second = await dpopProof(holder, { htm: 'GET', htu: `${a.origin}${E}`, accessToken: bound });
    expect((await read(b, second)).status).toBe(200);
    expect((await read(a, second)).status).toBe(401);
    for (let i = 0; i < 5; i++) {
      const p = await dpopProof(holder, { htm: 'GET', htu: `${a.origin}${E}`, accessToken: bound });
      const both = await Promise.all([read(a, p), read(b, p), read(a, p), read(b, p)]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
    }
  }, 60_000);

  it('keeps a console session opened on A good on B, and signing out on A ends it on B', async () => {
    const admin = await token(issuer, { roles: ['contract-admin'] });
    const start = await call(a, 'GET', '/console/sign-in');
    const pre = String(([start.headers['set-cookie']].flat()[0] ?? '')).split(';')[0]!;
    const signed = await call(a, 'POST', '/console/sign-in', { headers: { ...FORM, cookie: pre }, body: form({ csrf: hiddenCsrf(start.text), token: admin }) });
    expect(signed.status).toBe(303);
    const cookie = [signed.headers['set-cookie']].flat().map(String).find((c) => c.startsWith('__Host-mimtrust-console=') && !c.startsWith('__Host-mimtrust-console=;'))!.split(';')[0]!;
    const onB = await call(b, 'GET', '/console', { headers: { cookie } });
    expect(onB.status).toBe(200);
    expect(onB.text).toContain('urn:test:buses');
    // A forged cookie is no session on either.
    expect((await call(b, 'GET', '/console', { headers: { cookie: '__Host-mimtrust-console=forged' } })).status).toBe(303);
    // The CSRF token B shows is the session's: a form posted to A with it is accepted.
    const out = await call(a, 'POST', '/console/sign-out', { headers: { ...FORM, cookie }, body: form({ csrf: hiddenCsrf(onB.text) }) });
    expect(out.status).toBe(303);
    const after = await call(b, 'GET', '/console', { headers: { cookie } });
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/console/sign-in');
  }, 60_000);

  it('permits exactly N requests in all under a count limit of N, however many go to each instance at once', async () => {
    const counted = await token(issuer, { roles: ['viewer'], extra: { client_id: 'counted-app' } });
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => call(i % 2 ? a : b, 'GET', `${E}?type=Tram`, { headers: { authorization: `Bearer ${counted}` } })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 403)).toBe(true);
    // Both instances answered: the limit is the database's, not each one's.
    const permitted = await schema.query<{ n: string; instances: string }>("SELECT count(*) AS n, count(DISTINCT instance) AS instances FROM audit_records WHERE client_id = 'counted-app' AND effect = 'permit' AND reason = 'before_effect'");
    expect(Number(permitted[0]!.n)).toBe(5);
    const refusedBy = await schema.query<{ instance: string }>("SELECT DISTINCT instance FROM audit_records WHERE client_id = 'counted-app'");
    expect(refusedBy).toHaveLength(2);
    // Another caller has a count of its own.
    const other = await token(issuer, { roles: ['viewer'], extra: { client_id: 'other-app' } });
    expect((await call(b, 'GET', `${E}?type=Tram`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(200);
  }, 60_000);
});
