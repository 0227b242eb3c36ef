/**
 * Consent benchmark: what checking citizens' consent costs on a read of personal data.
 * One query (GET /ngsi-ld/v1/entities?type=EnergyMeter) returning the meters of several
 * residents, in three modes against the same broker and the same data:
 *   direct     HTTP straight to the broker
 *   personal   HTTPS through mimtrust under a plain permission (no consent asked); the
 *              contract shows four of the meters' attributes, so every entity is cut
 *   consent    the same permission bound to consent (`ngsi:obtainConsent`, data subject
 *              `owner`), the app's token resting on one consent of each resident: the
 *              token's consents are looked up, decide() reads them, the query is narrowed
 *              to the consenting residents and each entity is cut by its owner's consent
 * The two gateways run in their own processes (run-gateway.mjs), each with its own store;
 * the residents give their consents through the citizen API before any load. Both
 * gateways must answer the very same bytes. Rounds interleave the modes. The figure that
 * matters is consent / personal throughput (target >= 0.8); each gateway's CPU time per
 * request is printed too, as other load on the machine moves it less. See bench/README.md.
 *
 *   npm run build && node bench/consent.mjs
 *   BENCH_CITIZENS=10 BENCH_DURATION=8 BENCH_WARMUP=2 BENCH_CONNECTIONS=16 BENCH_ROUNDS=3 BENCH_PROFILE=1
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { Agent } from 'undici';
import { checkBuild } from './lib/build-check.mjs';
import { flag, integer } from './lib/settings.mjs';
import { runBenchmark, scratchSpace, startRunner } from './lib/supervisor.mjs';
import { measure } from './lib/load.mjs';
import { combineRounds } from './lib/rounds.mjs';
import { formatTable } from './lib/report.mjs';
import { formatProfileSummary, summariseProfile } from './lib/cpu-profile.mjs';
import { citizenSub, energyMeters, METER_CONSENT, METERS_PER_CITIZEN } from './lib/energy-meters.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const TARGET = 0.8;
const scratch = scratchSpace();
const cleanUp = () => scratch.cleanUp();

function readConsentSettings(env = process.env) {
  const s = {
    citizens: integer(env, 'BENCH_CITIZENS', 10, 1),
    durationSec: integer(env, 'BENCH_DURATION', 8, 1),
    warmupSec: integer(env, 'BENCH_WARMUP', 2, 0),
    connections: integer(env, 'BENCH_CONNECTIONS', 16, 1),
    rounds: integer(env, 'BENCH_ROUNDS', 1, 1),
    profile: flag(env, 'BENCH_PROFILE'),
  };
  // The query asks for the whole answer at once: the broker's default page is 20.
  if (s.citizens * METERS_PER_CITIZEN > 1000) throw new Error('BENCH_CITIZENS must leave at most 1000 meters');
  s.timeBoundMs = (3 * s.rounds * (s.durationSec + s.warmupSec) + 60 + 2 * 20 * (s.profile ? 2 : 1)) * 1000;
  return s;
}

const MODES = [
  { key: 'direct', label: 'direct (http)' },
  { key: 'personal', label: 'gateway, plain permission', contractsDir: 'bench/fixtures/contracts-personal' },
  { key: 'consent', label: 'gateway, consent-bound', contractsDir: 'bench/fixtures/contracts-consent' },
];

/** One request through an HTTPS agent that trusts the run's certificate. */
async function call(agent, origin, method, path, token, body) {
  const res = await agent.request({
    origin, path, method,
    headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

async function main(settings) {
  const warning = checkBuild(REPO);
  if (warning) console.warn(warning);
  const meters = energyMeters(settings.citizens);
  const path = `/ngsi-ld/v1/entities?type=EnergyMeter&limit=${meters.length}`;
  console.log(
    `mimtrust consent benchmark: ${settings.citizens} residents, ${meters.length} meters per answer; ${settings.connections} connections, ` +
      `${settings.warmupSec} s warm-up + ${settings.durationSec} s per mode, ${settings.rounds} round(s); ${cpus().length} CPU(s), node ${process.version}, ` +
      `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'mimtrust-bench-consent-'));
  scratch.use(dir);
  try {
    const { gatewayConfig } = await import('./lib/gateway-config.mjs');
    const { prepareKeyMaterial } = await import('./lib/key-material.mjs');
    const { issueLocalToken, LOCAL_ISSUER_KEY_NAME } = await import('../dist/issuer/index.js');
    const { loadOrCreateSigningKey } = await import('../dist/keys/index.js');

    const broker = await startRunner('broker', './run-broker.mjs', { entities: meters });
    const shared = gatewayConfig({ dir, repo: REPO, upstream: broker.info.url, connections: 128 });
    const ttlSec = settings.timeBoundMs / 1000 + 600;
    const keys = await prepareKeyMaterial(shared, ttlSec);
    const signingKey = await loadOrCreateSigningKey(shared.keysDir, LOCAL_ISSUER_KEY_NAME);
    const issuer = { issuer: shared.localIssuer.issuer, audience: shared.localIssuer.audience };
    const appToken = (consents) => issueLocalToken(signingKey, issuer, {
      sub: 'supplier-app', roles: ['viewer'], purpose: 'dpv:ServiceProvision', ttlSec, ...(consents ? { consents } : {}),
    });

    const handles = {};
    for (const m of MODES.filter((x) => x.contractsDir)) {
      const profileDir = join(dir, 'profile', m.key);
      if (settings.profile) mkdirSync(profileDir, { recursive: true });
      handles[m.key] = await startRunner(
        `gateway ${m.key}`, './run-gateway.mjs',
        { dir, repo: REPO, upstream: broker.info.url, connections: 128, name: m.key, enforceContracts: true, contractsDir: m.contractsDir },
        { execArgv: settings.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] },
      );
      handles[m.key].profileDir = profileDir;
    }

    const agent = new Agent({ connect: { ca: keys.cert, servername: 'localhost' } });
    const origin = { direct: broker.info.url, personal: handles.personal.info.url, consent: handles.consent.info.url };
    // Each resident consents through the citizen API of the consent gateway, as in production.
    const consentIds = [];
    // The citizen's own tool: a local-issuer token carrying the consent API's scope.
    const citizenToken = (sub) => new SignJWT({ roles: [], client_id: sub, scope: 'consents' })
      .setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: 'at+jwt' })
      .setIssuer(issuer.issuer).setAudience(issuer.audience).setSubject(sub)
      .setIssuedAt().setJti(randomUUID()).setExpirationTime(Math.floor(Date.now() / 1000) + 600)
      .sign(signingKey.privateKey);
    for (let i = 0; i < settings.citizens; i++) {
      const citizen = await citizenToken(citizenSub(i));
      const res = await call(agent, origin.consent, 'POST', '/consents', citizen, METER_CONSENT);
      if (res.status !== 201) throw new Error(`giving consent answered ${res.status}: ${res.text.slice(0, 300)}`);
      consentIds.push(JSON.parse(res.text).id);
    }
    const tokens = { direct: await appToken(), personal: await appToken(), consent: await appToken(consentIds) };

    // Preflight: both gateways answer every meter, cut alike, byte for byte.
    const answers = {};
    for (const m of MODES) {
      const res = await call(agent, origin[m.key], 'GET', path, tokens[m.key]);
      if (res.status !== 200) throw new Error(`${m.key} answered ${res.status} to the benchmark request: ${res.text.slice(0, 300)}`);
      answers[m.key] = res.text;
    }
    const shown = JSON.parse(answers.consent);
    if (answers.consent !== answers.personal) throw new Error('preflight: the consent-bound and the plain gateway answered different bodies');
    if (shown.length !== meters.length) throw new Error(`preflight: ${shown.length} meters shown of ${meters.length}`);
    const kept = Object.keys(shown[0]).sort().join(',');
    console.log(`preflight: both gateways show ${shown.length} meters with ${kept}; the broker's answer is ${answers.direct.length} bytes, theirs ${answers.consent.length}`);
    await agent.close();

    const runs = Object.fromEntries(MODES.map((m) => [m.key, []]));
    for (let round = 1; round <= settings.rounds; round++) {
      for (const m of MODES) {
        process.stdout.write(`${settings.rounds > 1 ? `round ${round}: ` : ''}measuring ${m.label} ... `);
        const run = await measure({
          url: origin[m.key] + path,
          headers: { accept: 'application/json', authorization: `Bearer ${tokens[m.key]}` },
          connections: settings.connections, durationSec: settings.durationSec, warmupSec: settings.warmupSec,
        });
        runs[m.key].push(run);
        console.log(`${run.rps.toFixed(0)} req/s, p50 ${run.p50Ms.toFixed(3)} ms`);
      }
    }
    const results = Object.fromEntries(MODES.map((m) => [m.key, combineRounds(runs[m.key])]));
    const cpuPerRequest = {};
    for (const key of Object.keys(handles)) {
      const { received, cpuMicros } = await handles[key].stop();
      cpuPerRequest[key] = cpuMicros / received;
    }
    await broker.stop();

    console.log('');
    if (settings.rounds > 1) console.log(`figures are medians over ${settings.rounds} interleaved rounds`);
    console.log(formatTable(MODES.map((m) => ({ label: m.label, m: results[m.key], rssMax: handles[m.key]?.rssMax ?? broker.rssMax }))));
    console.log('');
    const ratio = results.consent.rps / results.personal.rps;
    console.log(`throughput consent-bound / plain permission: ${ratio.toFixed(3)}   target >= ${TARGET}: ${ratio >= TARGET ? 'met' : 'MISSED'}`);
    if (settings.rounds > 1) console.log(`  per round: ${runs.consent.map((r, i) => (r.rps / runs.personal[i].rps).toFixed(2)).join(', ')}`);
    console.log(`throughput plain permission / direct: ${(results.personal.rps / results.direct.rps).toFixed(3)}; consent-bound / direct: ${(results.consent.rps / results.direct.rps).toFixed(3)}`);
    console.log(`added p50 of consent-bound over plain: ${(results.consent.p50Ms - results.personal.p50Ms).toFixed(3)} ms, p99 ${(results.consent.p99Ms - results.personal.p99Ms).toFixed(3)} ms`);
    // Requests/s moves with whatever else the machine runs; the CPU each request took moves less.
    console.log(
      `gateway CPU per request (user + system, all requests since start): plain ${(cpuPerRequest.personal / 1000).toFixed(3)} ms, ` +
        `consent-bound ${(cpuPerRequest.consent / 1000).toFixed(3)} ms; ratio plain / consent-bound ${(cpuPerRequest.personal / cpuPerRequest.consent).toFixed(3)}`,
    );

    if (settings.profile) {
      scratch.keep();
      for (const key of Object.keys(handles)) {
        const files = readdirSync(handles[key].profileDir).filter((f) => f.endsWith('.cpuprofile')).sort();
        const main = files.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
        console.log(`\n${key} CPU profile, main thread: ${join(handles[key].profileDir, main)} (measured runs only)`);
        console.log(formatProfileSummary(summariseProfile(JSON.parse(readFileSync(join(handles[key].profileDir, main), 'utf8')), results[key].windows)));
      }
    }
    const failed = MODES.filter((m) => results[m.key].non2xx || results[m.key].errors || results[m.key].timeouts || results[m.key].warmupNon2xx);
    if (failed.length) {
      console.error(`\nthe run is not valid: ${failed.map((m) => `${m.label}: ${JSON.stringify(results[m.key].statusCodes)}, ${results[m.key].errors} errors`).join('; ')}`);
      return 1;
    }
    console.log('\nall responses were 200');
    return 0;
  } finally {
    cleanUp();
  }
}

runBenchmark(readConsentSettings, main, cleanUp);
