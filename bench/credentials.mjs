/**
 * Credentials benchmark: consent receipts issued and verified per second, in one run
 * both directly (the credentials module in this process, no HTTP) and through the
 * gateway over HTTPS on 127.0.0.1 with its SQLite store (GET /consents/{id}/receipt,
 * POST /credentials/verify). Every verification reads the receipt's status bit; the
 * proof cache is off for the "distinct" figures (each receipt verified once, all proof
 * work done) and on for "repeated" (the same receipts again: proofs remembered, validity
 * and status still checked). With BENCH_WORKERS proof workers (default 2;
 * credentials.workers.size) the distinct verifications are measured again directly, and
 * the gateway runs with them. The gateway keeps its default proof cache: its receipts
 * are distinct (each verified once, so every proof is checked), and its VP logins present
 * the same credential, whose proof is remembered as in the direct "remembered" figure.
 * Every answer must be what it should be (a 200, verified).
 *
 * VP logins: an organisation's presentation of one credential from a trusted issuer,
 * traded for a login (directly: the credentials module's PresentationLogin; through the
 * gateway: POST /oidc/token with the vp-token grant, an access token each). Every login is
 * a distinct presentation (its own challenge, so its own proof); the credential inside is
 * the same, so with the proof cache on its proof is checked once and only its validity
 * and the trusted list each time. Presentations are signed before the clock starts.
 * The logins are measured once more against `mimtrust start --workers N` (BENCH_DEPLOYED_WORKERS,
 * default one per core), as an operator runs it, with the CPU time of its serving processes.
 *
 * Presentations verified (POST /presentations/verify, and directly): BENCH_PRESENTATIONS
 * distinct presentations (each its own challenge) verified once, every signature checked,
 * then the same ones again, their signatures remembered (credentials.presentationCache)
 * while validity and status are still checked.
 *
 *   npm run build && node bench/credentials.mjs
 *   BENCH_RECEIPTS=1000 BENCH_CONNECTIONS=8 BENCH_TIMEOUT=300 node bench/credentials.mjs
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { checkBuild } from './lib/build-check.mjs';
import { cpuMsOf, killMimtrusts, startMimtrust } from './lib/mimtrust-cli.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const warning = checkBuild(REPO);
if (warning) console.error(warning);
const { buildConfig } = await import('../dist/config/index.js');
const { startGateway } = await import('../dist/app/index.js');
const { Credentials } = await import('../dist/credentials/index.js');
const { openSqlite, SqliteStatusListStore, StoredExpiringKeys, sqliteKeyTable } = await import('../dist/store/index.js');
const { loadOrCreateEd25519KeySet, loadOrCreateSigningKey } = await import('../dist/keys/index.js');
const { issueLocalToken, LOCAL_ISSUER_KEY_NAME, VP_TOKEN_GRANT, VP_LOGIN_CLIENT_ID } = await import('../dist/issuer/index.js');
const { PresentationLogin, documentLoader, PACKAGED_CONTEXTS } = await import('../dist/credentials/index.js');
const { createPresentation, issue, signPresentation } = await import('@digitalbazaar/vc');
const { from, generate } = await import('@digitalbazaar/ed25519-multikey');
const { DataIntegrityProof } = await import('@digitalbazaar/data-integrity');
const { cryptosuite } = await import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');

const RECEIPTS = Number(process.env.BENCH_RECEIPTS ?? 600);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const WORKERS = Number(process.env.BENCH_WORKERS ?? Math.max(0, availableParallelism() - 1));
const TIMEOUT_SEC = Number(process.env.BENCH_TIMEOUT ?? 300);
const LOGINS = Number(process.env.BENCH_LOGINS ?? 1000);
const DEPLOYED = Number(process.env.BENCH_DEPLOYED_WORKERS ?? availableParallelism());
const PRESENTATIONS = Number(process.env.BENCH_PRESENTATIONS ?? 300);
const OIDC_ISSUER = 'https://localhost/oidc';

const dir = mkdtempSync(join(tmpdir(), 'mimtrust-bench-credentials-'));
let gateway;
let agent;
let deployed;
const timer = setTimeout(() => {
  console.error(`stopped after ${TIMEOUT_SEC} s`);
  process.exit(1);
}, TIMEOUT_SEC * 1000);

/**
 * Runs `task(i)` for i in [0, n) with `concurrency` at a time; returns operations per
 * second of wall time and milliseconds of this process's CPU time (all its threads: the
 * proof workers, and through the gateway its HTTPS client too) per operation.
 */
async function rate(n, concurrency, task) {
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await task(next++);
  }));
  const cpu = process.cpuUsage(cpu0);
  return { perSec: n / ((performance.now() - t0) / 1000), cpuMs: (cpu.user + cpu.system) / 1000 / n };
}

function record(i) {
  const at = new Date().toISOString();
  return {
    id: `urn:uuid:${randomUUID()}`,
    dataSubject: { issuer: 'urn:mimtrust:local-issuer', sub: `citizen-${i}`, id: `urn:ngsi-ld:Person:citizen-${i}` },
    recipient: 'bench-app',
    purposes: ['https://w3id.org/dpv#ServiceProvision'],
    personalData: [{ type: 'https://uri.fiware.org/ns/data-models#EnergyMeter', attributes: ['https://uri.fiware.org/ns/data-models#totalActiveEnergyImport'] }],
    legalBasis: 'https://w3id.org/dpv#Consent',
    givenAt: at,
    events: [{ event: 'given', at }],
  };
}

/** A registry that vouches for an organisation, both did:key, and the trusted issuers entry for the registry. */
async function organisation() {
  const didKey = async () => {
    const key = await generate();
    const did = `did:key:${key.publicKeyMultibase}`;
    return { did, pair: await from({ ...(await key.export({ publicKey: true, secretKey: true })), id: `${did}#${key.publicKeyMultibase}`, controller: did }) };
  };
  const [registry, org] = [await didKey(), await didKey()];
  const loader = documentLoader({ contexts: PACKAGED_CONTEXTS, resolveDid: async () => { throw new Error('not needed to sign'); } });
  const terms = { OrganisationCredential: 'https://registry.example/vocab#OrganisationCredential', role: 'https://schema.org/roleName' };
  const credential = await issue({
    credential: { '@context': ['https://www.w3.org/ns/credentials/v2', terms], type: ['VerifiableCredential', 'OrganisationCredential'], issuer: registry.did, validFrom: '2024-01-01T00:00:00Z', credentialSubject: { id: org.did, role: 'dataUser' } },
    suite: new DataIntegrityProof({ signer: registry.pair.signer(), cryptosuite }),
    documentLoader: loader,
  });
  const present = (challenge) => signPresentation({
    presentation: createPresentation({ verifiableCredential: [credential], holder: org.did }),
    suite: new DataIntegrityProof({ signer: org.pair.signer(), cryptosuite }),
    documentLoader: loader, challenge, domain: OIDC_ISSUER,
  });
  const trusted = { did: registry.did, credentialTypes: ['OrganisationCredential'], roles: [{ claim: 'role', value: 'dataUser', roles: ['viewer'] }], validFrom: null, validUntil: null };
  return { org, present, trusted };
}

function mustVerify(result) {
  if (!result.verified) throw new Error(`not verified: ${JSON.stringify(result.errors)}`);
}

const figures = [];
let vouched;
try {
  // Directly: the module in this process, its own in-memory store.
  for (const [cacheSize, workers] of [[0, 0], [10_000, 0], ...(WORKERS > 0 ? [[0, WORKERS]] : [])]) {
    const direct = new Credentials({
      keys: await loadOrCreateEd25519KeySet(join(dir, 'direct-keys'), 'vc-assertion'),
      method: 'web', did: null,
      store: new SqliteStatusListStore(openSqlite(':memory:')),
      didWeb: { webAllow: [], fetchJson: async () => { throw new Error('no network'); }, cacheSize: 16, cacheTtlMs: 60_000 },
      verifyCache: { size: cacheSize, ttlMs: 300_000 },
      presentationCache: { size: cacheSize, ttlMs: 300_000, failureTtlMs: 60_000 },
      maxPresentationCredentials: 16,
      workers: { size: workers, maxQueue: 1024, timeoutMs: 60_000 },
    });
    await direct.bind('https://localhost:8443');
    await direct.startWorkers();
    const records = Array.from({ length: RECEIPTS }, (_, i) => record(i));
    for (const r of records) await direct.consentChanged(r, 'given', Date.now());
    const receipts = new Array(RECEIPTS);
    const issued = await rate(RECEIPTS, 1, async (i) => { receipts[i] = await direct.receiptOf(records[i], Date.now()); });
    if (cacheSize === 0 && workers === 0) figures.push(['direct', 'receipts issued', issued]);
    // With workers, several proofs in flight at once (the main thread takes one when no worker is idle); without, one after another.
    const verified = await rate(RECEIPTS, workers === 0 ? 1 : (workers + 1) * 4, async (i) => mustVerify(await direct.verifyCredential(receipts[i])));
    if (workers > 0) figures.push(['direct', `receipts verified with status (distinct, ${workers} proof workers)`, verified]);
    else if (cacheSize === 0) figures.push(['direct', 'receipts verified with status (distinct)', verified]);
    else {
      const again = await rate(RECEIPTS, 1, async (i) => mustVerify(await direct.verifyCredential(receipts[i])));
      figures.push(['direct', 'receipts verified with status (repeated, proofs remembered)', again]);
    }
    {
      const { org, present, trusted } = await organisation();
      // Challenges are kept in the store, as the gateway keeps them (a SQLite file of its own here).
      const keysDb = openSqlite(join(dir, `challenges-${workers}-${cacheSize}.db`));
      const keys = new StoredExpiringKeys(sqliteKeyTable(keysDb));
      const login = new PresentationLogin({
        verify: (p, o) => direct.verifyPresentation(p, o), trusted: () => [trusted], domain: OIDC_ISSUER, challengeTtlMs: 600_000, maxChallenges: LOGINS, keys,
      });
      const presentations = [];
      for (let i = 0; i < LOGINS; i++) presentations.push(await present((await login.challenge()).challenge));
      const logins = await rate(LOGINS, workers === 0 ? 1 : (workers + 1) * 4, async (i) => {
        if ((await login.login(presentations[i])).organisation !== org.did) throw new Error('login for someone else');
      });
      figures.push(['direct', `VP logins (${cacheSize === 0 ? 'no proof cache' : 'credential proof remembered'}${workers === 0 ? '' : `, ${workers} proof workers`})`, logins]);
      keys.close();
      keysDb.close();
    }
    if (cacheSize > 0 && workers === 0) {
      const { present } = await organisation();
      const asked = Array.from({ length: PRESENTATIONS }, (_, i) => ({ challenge: `p-${i}`, domain: OIDC_ISSUER }));
      const vps = [];
      for (const o of asked) vps.push(await present(o.challenge));
      const once = async (i) => mustVerify(await direct.verifyPresentation(vps[i], asked[i]));
      figures.push(['direct', 'presentations verified, first time (every signature checked)', await rate(PRESENTATIONS, 1, once)]);
      figures.push(['direct', 'presentations verified again (signatures remembered)', await rate(PRESENTATIONS, 1, once)]);
      // A presentation signed for another challenge fails; asked again, its failure is remembered, never turned into a pass.
      const refused = async (i) => {
        if ((await direct.verifyPresentation(vps[i], { ...asked[i], challenge: `other-${i}` })).verified) throw new Error('a wrong challenge verified');
      };
      figures.push(['direct', 'presentations refused (wrong challenge), first time', await rate(PRESENTATIONS, 1, refused)]);
      figures.push(['direct', 'presentations refused again (failure remembered)', await rate(PRESENTATIONS, 1, refused)]);
    }
    await direct.close();
  }

  // Through the gateway over HTTPS.
  const config = buildConfig({
    listen: { host: '127.0.0.1', port: 0 },
    keysDir: join(dir, 'keys'),
    store: { path: join(dir, 'mimtrust.db') },
    policiesDir: join(REPO, 'policies'),
    contractsDir: join(REPO, 'contracts'),
    logLevel: 'silent',
    credentials: { verifyRateLimit: { perAddress: 0 }, workers: { size: WORKERS }, trustedIssuers: [(vouched = await organisation()).trusted] },
    oidc: { enabled: true, issuer: OIDC_ISSUER },
  }, { baseDir: dir });
  gateway = await startGateway(config);
  agent = new Agent({ connect: { ca: readFileSync(join(dir, 'keys', 'tls-cert.pem')), servername: 'localhost' }, connections: CONNECTIONS });
  const origin = gateway.url.replace('127.0.0.1', 'localhost');
  const key = await loadOrCreateSigningKey(config.keysDir, LOCAL_ISSUER_KEY_NAME);
  const call = async (method, path, { bearer, body } = {}) => {
    const headers = {};
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await agent.request({ origin, path, method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  };
  const citizens = [];
  for (let i = 0; i < RECEIPTS; i++) {
    const bearer = await issueLocalToken(key, config.localIssuer, { sub: `citizen-${i}`, roles: [], scope: 'consents', ttlSec: 3600 });
    const given = await call('POST', '/consents', { bearer, body: { recipient: 'bench-app', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'EnergyMeter' }] } });
    citizens.push({ bearer, id: given.id });
  }
  const receipts = new Array(RECEIPTS);
  const issued = await rate(RECEIPTS, CONNECTIONS, async (i) => {
    receipts[i] = await call('GET', `/consents/${encodeURIComponent(citizens[i].id)}/receipt`, { bearer: citizens[i].bearer });
  });
  figures.push(['gateway', 'receipts issued (GET /consents/{id}/receipt)', issued]);
  // The first verification starts the gateway's proof workers; they are given a moment to load before the clock starts.
  mustVerify(await call('POST', '/credentials/verify', { body: { verifiableCredential: receipts[0] } }));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const verified = await rate(RECEIPTS, CONNECTIONS, async (i) => mustVerify(await call('POST', '/credentials/verify', { body: { verifiableCredential: receipts[i] } })));
  figures.push(['gateway', 'receipts verified with status (POST /credentials/verify, distinct)', verified]);
  {
    const asked = Array.from({ length: PRESENTATIONS }, (_, i) => ({ challenge: `p-${i}`, domain: OIDC_ISSUER }));
    const vps = [];
    for (const o of asked) vps.push(await vouched.present(o.challenge));
    const once = async (i) => mustVerify(await call('POST', '/presentations/verify', { body: { verifiablePresentation: vps[i], options: asked[i] } }));
    figures.push(['gateway', 'presentations verified, first time (POST /presentations/verify)', await rate(PRESENTATIONS, CONNECTIONS, once)]);
    figures.push(['gateway', 'presentations verified again (signatures remembered)', await rate(PRESENTATIONS, CONNECTIONS, once)]);
  }
  const presentations = [];
  for (let i = 0; i < LOGINS; i++) presentations.push(await vouched.present((await call('POST', '/oidc/vp-challenge')).challenge));
  const form = (vp) => new URLSearchParams({ grant_type: VP_TOKEN_GRANT, client_id: VP_LOGIN_CLIENT_ID, vp_token: JSON.stringify(vp) }).toString();
  const logins = await rate(LOGINS, CONNECTIONS, async (i) => {
    const res = await agent.request({ origin, path: '/oidc/token', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(presentations[i]) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`POST /oidc/token: ${res.statusCode} ${text.slice(0, 200)}`);
  });
  figures.push(['gateway', `VP logins (POST /oidc/token, vp-token grant, ${WORKERS} proof workers, credential proof remembered)`, logins]);
  await agent.close();
  await gateway.close();
  gateway = undefined;

  // The same logins through `mimtrust start --workers N` as an operator runs it (one
  // process per core by default, each with its proof workers); CPU is the serving processes'.
  const ca = readFileSync(join(dir, 'keys', 'tls-cert.pem'));
  deployed = await startMimtrust({
    home: join(dir, 'deployed'), workers: DEPLOYED, ca,
    config: {
      keysDir: join(dir, 'keys'), store: { path: join(dir, 'deployed', 'mimtrust.db') }, policiesDir: join(REPO, 'policies'), contractsDir: join(REPO, 'contracts'), logLevel: 'warn',
      credentials: { verifyRateLimit: { perAddress: 0 }, trustedIssuers: [vouched.trusted] }, oidc: { enabled: true, issuer: OIDC_ISSUER },
    },
  });
  agent = new Agent({ connect: { ca, servername: 'localhost' }, connections: CONNECTIONS });
  const signed = [];
  for (let i = 0; i < LOGINS; i++) {
    const res = await agent.request({ origin: deployed.url, path: '/oidc/vp-challenge', method: 'POST' });
    signed.push(await vouched.present((await res.body.json()).challenge));
  }
  const cpu0 = cpuMsOf(deployed.pids);
  const spread = await rate(LOGINS, CONNECTIONS, async (i) => {
    const res = await agent.request({ origin: deployed.url, path: '/oidc/token', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(signed[i]) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`POST /oidc/token: ${res.statusCode} ${text.slice(0, 200)}`);
  });
  spread.cpuMs = (cpuMsOf(deployed.pids) - cpu0) / LOGINS;
  figures.push(['deployed', `VP logins (mimtrust start --workers ${DEPLOYED}, POST /oidc/token; CPU: the serving processes)`, spread]);

  console.log(`credentials benchmark: ${RECEIPTS} receipts, ${PRESENTATIONS} presentations, ${LOGINS} VP logins, ${CONNECTIONS} connections to the gateway, ${WORKERS} proof workers in it`);
  console.log(`${''.padEnd(99)} ${'/s'.padStart(6)} ${'CPU ms/op'.padStart(10)}`);
  for (const [where, what, { perSec, cpuMs }] of figures) console.log(`${where.padEnd(8)} ${what.padEnd(90)} ${perSec.toFixed(0).padStart(6)} ${cpuMs.toFixed(2).padStart(10)}`);
} finally {
  clearTimeout(timer);
  await agent?.close();
  await gateway?.close();
  await deployed?.stop();
  killMimtrusts();
  rmSync(dir, { recursive: true, force: true });
}
