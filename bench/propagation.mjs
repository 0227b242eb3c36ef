/**
 * Change propagation between two gateway instances on one PostgreSQL database: how long
 * after a contract change answers on instance A does instance B enforce it. Each round
 * creates a contract on A granting reads of one type and waits until B permits them
 * (a grant reaching B), then deletes it on A and waits until B refuses (a withdrawal
 * reaching B). B is asked back to back, so each figure is the propagation time plus at
 * most one request on B; that request's own time is measured in the same run (B's
 * answer to an unchanged request) so the two can be told apart.
 *
 *   npm run build && BENCH_POSTGRES_URL=postgres://root@127.0.0.1:5432/test node bench/propagation.mjs
 *   BENCH_ROUNDS=50 BENCH_TIMEOUT=120 (defaults); MIMTRUST_TEST_POSTGRES_URL is used when BENCH_POSTGRES_URL is not set.
 *
 * Everything runs in one process on 127.0.0.1, in a schema of its own dropped afterwards.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Agent } from 'undici';
import { checkBuild } from './lib/build-check.mjs';
import { startMiniBroker } from '../test/helpers/mini-broker.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const warning = checkBuild(REPO);
if (warning) console.error(warning);
const { buildConfig } = await import('../dist/config/index.js');
const { startGateway } = await import('../dist/app/index.js');
const { issueLocalToken, LOCAL_ISSUER_KEY_NAME } = await import('../dist/issuer/index.js');
const { loadOrCreateSigningKey } = await import('../dist/keys/index.js');

const BASE_URL = process.env.BENCH_POSTGRES_URL ?? process.env.MIMTRUST_TEST_POSTGRES_URL;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 50);
const TIMEOUT_SEC = Number(process.env.BENCH_TIMEOUT ?? 120);
if (!BASE_URL) {
  console.error('set BENCH_POSTGRES_URL (e.g. postgres://root@127.0.0.1:5432/test)');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'mimtrust-bench-propagation-'));
const schema = `bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: BASE_URL });
const started = [];
let broker;
let agent;
const timer = setTimeout(() => {
  console.error(`stopped after ${TIMEOUT_SEC} s`);
  process.exit(1);
}, TIMEOUT_SEC * 1000);

const contract = (uid) => ({
  '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
  '@type': 'Set',
  uid,
  profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
  permission: [{
    uid: `${uid}:read`,
    target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: 'Bus' }] },
    action: 'ngsi:read',
  }],
});

function summary(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return `min ${s[0].toFixed(1)}  p50 ${at(0.5).toFixed(1)}  p99 ${at(0.99).toFixed(1)}  max ${s[s.length - 1].toFixed(1)} ms  (n=${s.length})`;
}

try {
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const url = new URL(BASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  broker = await startMiniBroker({ record: false });
  broker.seed({ id: 'urn:ngsi-ld:Bus:1', type: 'Bus', name: { type: 'Property', value: 'one' } });
  const contractsDir = join(dir, 'contracts');
  mkdirSync(contractsDir);
  const keysDir = join(dir, 'keys');
  for (const name of ['a', 'b']) {
    const config = buildConfig({
      listen: { host: '127.0.0.1', port: 0 },
      keysDir,
      store: { url: url.toString(), path: join(dir, name, 'mimtrust.db') },
      policiesDir: join(REPO, 'policies'),
      contractsDir,
      logLevel: 'silent',
      upstream: { url: broker.url },
    }, { baseDir: dir });
    started.push({ config, gateway: await startGateway(config) });
  }
  const [a, b] = started;
  agent = new Agent({ connect: { ca: readFileSync(join(keysDir, 'tls-cert.pem')), servername: 'localhost' }, pipelining: 0 });
  const key = await loadOrCreateSigningKey(keysDir, LOCAL_ISSUER_KEY_NAME);
  const tokenFor = (roles) => issueLocalToken(key, a.config.localIssuer, { sub: 'bench', roles, ttlSec: 3600 });
  const adminToken = await tokenFor(['contract-admin']);
  const viewerToken = await tokenFor(['viewer']);
  const call = async (g, method, path, token, body) => {
    const res = await agent.request({
      origin: g.gateway.url.replace('127.0.0.1', 'localhost'), path, method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    await res.body.dump();
    return res.statusCode;
  };
  const readOnB = () => call(b, 'GET', '/ngsi-ld/v1/entities?type=Bus', viewerToken);
  /** ms from now until B answers `want`, asking back to back. */
  const untilB = async (want) => {
    const t0 = performance.now();
    for (;;) {
      if (await readOnB() === want) return performance.now() - t0;
      if (performance.now() - t0 > 10_000) throw new Error(`B did not answer ${want} within 10 s`);
    }
  };

  const grant = [];
  const withdraw = [];
  const request = [];
  for (let i = 0; i < ROUNDS; i++) {
    const uid = `urn:bench:c${i}`;
    if (await call(a, 'POST', '/admin/contracts', adminToken, contract(uid)) !== 201) throw new Error('contract not created on A');
    grant.push(await untilB(200));
    // B's own answer time for a request that does not change: the poll's resolution.
    const t0 = performance.now();
    await readOnB();
    request.push(performance.now() - t0);
    if (await call(a, 'DELETE', `/admin/contracts/${encodeURIComponent(uid)}`, adminToken) !== 204) throw new Error('contract not deleted on A');
    withdraw.push(await untilB(403));
  }
  console.log(`two instances on PostgreSQL, ${ROUNDS} rounds, from A's answer until B enforces:`);
  console.log(`  contract deleted on A, refused on B:   ${summary(withdraw)}`);
  console.log(`  contract created on A, granted on B:   ${summary(grant)}`);
  console.log(`  one read on B, nothing changing:       ${summary(request)}`);
} finally {
  clearTimeout(timer);
  for (const { gateway } of started.reverse()) await gateway.close().catch(() => undefined);
  await agent?.close();
  await broker?.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await admin.end().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
