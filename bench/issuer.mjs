/**
 * Issuer benchmark: access tokens per second from the city's own issuer for
 * client_credentials with a private_key_jwt assertion (ES256), over HTTPS on 127.0.0.1,
 * with the gateway's SQLite store. The assertions are signed before the clock starts (each
 * has its own jti, as the issuer refuses a replay), so the figure is the issuer's cost:
 * TLS, assertion check, replay record, token signing. Every answer must be a 200. It stops
 * by itself after BENCH_TOKENS tokens, or after BENCH_TIMEOUT seconds.
 *
 *   npm run build && node bench/issuer.mjs
 *   BENCH_TOKENS=2000 BENCH_CONNECTIONS=8 BENCH_TIMEOUT=120 node bench/issuer.mjs
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { checkBuild } from './lib/build-check.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const warning = checkBuild(REPO);
if (warning) console.error(warning);
const { buildConfig } = await import('../dist/config/index.js');
const { startGateway } = await import('../dist/app/index.js');

const TOKENS = Number(process.env.BENCH_TOKENS ?? 2000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const TIMEOUT_SEC = Number(process.env.BENCH_TIMEOUT ?? 120);
const ISSUER = 'https://localhost/oidc';

const dir = mkdtempSync(join(tmpdir(), 'mimtrust-bench-issuer-'));
let gateway;
let agent;
const timer = setTimeout(() => {
  console.error(`stopped after ${TIMEOUT_SEC} s`);
  process.exit(1);
}, TIMEOUT_SEC * 1000);

try {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const config = buildConfig({
    listen: { host: '127.0.0.1', port: 0 },
    keysDir: join(dir, 'keys'),
    store: { path: join(dir, 'mimtrust.db') },
    policiesDir: join(REPO, 'policies'),
    contractsDir: join(REPO, 'contracts'),
    localIssuer: { enabled: false },
    logLevel: 'silent',
    oidc: {
      enabled: true, issuer: ISSUER,
      clients: [{ clientId: 'bench-co', organisation: 'urn:org:bench', grantTypes: ['client_credentials'], jwks: { keys: [jwk] }, purposes: ['dpv:ServiceProvision'], roles: ['viewer'] }],
    },
  }, { baseDir: dir });
  gateway = await startGateway(config);
  agent = new Agent({ connect: { ca: readFileSync(join(dir, 'keys', 'tls-cert.pem')), servername: 'localhost' }, connections: CONNECTIONS });
  const origin = gateway.url.replace('127.0.0.1', 'localhost');

  const assertion = () => new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'bench' })
    .setIssuer('bench-co').setSubject('bench-co').setAudience(ISSUER).setJti(randomUUID()).setIssuedAt().setExpirationTime('10m').sign(privateKey);
  const bodies = [];
  for (let i = 0; i < TOKENS + 50; i++) {
    bodies.push(new URLSearchParams({
      grant_type: 'client_credentials', client_id: 'bench-co',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: await assertion(),
    }).toString());
  }
  const post = async (body) => {
    const t0 = performance.now();
    const res = await agent.request({ origin, path: '/oidc/token', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`token endpoint answered ${res.statusCode}`);
    return performance.now() - t0;
  };
  // Warm-up: connections, JIT, the first SQLite pages.
  for (const body of bodies.splice(0, 50)) await post(body);

  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next < bodies.length) latencies.push(await post(bodies[next++]));
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
  console.log(`client_credentials + private_key_jwt: ${latencies.length} tokens in ${seconds.toFixed(2)} s = ${(latencies.length / seconds).toFixed(0)} tokens/s; latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms (${CONNECTIONS} connections)`);
} finally {
  clearTimeout(timer);
  await agent?.close();
  await gateway?.close();
  rmSync(dir, { recursive: true, force: true });
}
