// Spatial obligations: what checking entities against an area costs.
// 1. The response filter alone, on a parsed broker answer: its time, and with the sliced
//    variant the longest stretch it holds the event loop without a turn.
// 2. End to end: how long a query under a contract with an area takes, and whether
//    `/health` keeps answering meanwhile. Everything runs in this one process: the broker
//    serves prepared bytes and the client reads the answer without parsing it, so nearly
//    all the JavaScript work is the gateway's, and a `/health` that waits is the gateway
//    holding the event loop (parsing, filtering, serialising the response).
// Run `npm run build` first; this script uses the compiled code in dist/. It also runs
// against builds from before areas were compiled with their contracts (for before/after
// figures): the filter is then given the area as GeoJSON.
//
//   node bench/spatial.mjs            BENCH_SPATIAL_RUNS=3 (runs per scenario; median shown)
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { startGateway } from '../dist/app/index.js';
import { buildConfig } from '../dist/config/index.js';
import { compileContracts, defaultExpander } from '../dist/contracts/index.js';
import * as filter from '../dist/filter/index.js';
import { loadOrCreateSigningKey } from '../dist/keys/index.js';
import { issueLocalToken, LOCAL_ISSUER_KEY_NAME } from '../dist/issuer/index.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_SPATIAL_RUNS ?? 3);
const CENTRE = [4.35, 50.85];

/** A district: a wavy circle (concave), `n` vertices, radius about 0.05°. */
function district(n) {
  const ring = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const r = 0.05 + 0.002 * Math.sin(12 * a);
    ring.push([CENTRE[0] + r * Math.cos(a), CENTRE[1] + r * Math.sin(a)]);
  }
  ring.push(ring[0]);
  return { type: 'Polygon', coordinates: [ring] };
}

const RECTANGLE = { type: 'Polygon', coordinates: [[[4.3, 50.8], [4.4, 50.8], [4.4, 50.9], [4.3, 50.9], [4.3, 50.8]]] };

/** A deterministic random walk of `n` points that stays within 0.03° of the centre. */
function track(n, seed) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out = [];
  let [x, y] = CENTRE;
  for (let i = 0; i < n; i++) {
    x += (rand() - 0.5) * 0.002;
    y += (rand() - 0.5) * 0.002;
    if (Math.hypot(x - CENTRE[0], y - CENTRE[1]) > 0.03) [x, y] = CENTRE;
    out.push([x, y]);
  }
  return out;
}

function contract(uid, area) {
  return {
    '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
    '@type': 'Set', uid, profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
    permission: [{
      uid: `${uid}:read`,
      target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: uid.split(':').pop() }] },
      assignee: { '@type': 'PartyCollection', refinement: [{ leftOperand: 'ngsi:role', operator: 'eq', rightOperand: 'viewer' }] },
      action: 'ngsi:read',
      constraint: [{ leftOperand: 'spatial', operator: 'ngsi:within', rightOperand: area }],
    }],
  };
}

const SCENARIOS = [
  { type: 'TrackA', what: '5 LineStrings × 10,000 points, 1,000-vertex concave area', area: district(1000), entities: 5, points: 10_000, kind: 'LineString' },
  { type: 'TrackD', what: '5 LineStrings × 10,000 points, 5,000-vertex concave area', area: district(5000), entities: 5, points: 10_000, kind: 'LineString' },
  { type: 'TrackB', what: '5 LineStrings × 10,000 points, rectangle', area: RECTANGLE, entities: 5, points: 10_000, kind: 'LineString' },
  { type: 'Spot', what: '1,000 Points, 1,000-vertex concave area', area: district(1000), entities: 1000, points: 1, kind: 'Point' },
  { type: 'TrackC', what: '1 LineString × 50,000 points (over the limit), 1,000-vertex concave area', area: district(1000), entities: 1, points: 50_000, kind: 'LineString' },
];

function entity(s, i) {
  const coordinates = s.kind === 'Point' ? track(3, i + 1)[2] : track(s.points, i + 1);
  return { id: `urn:ngsi-ld:${s.type}:${i}`, type: s.type, location: { type: 'GeoProperty', value: { type: s.kind, coordinates } } };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A broker that answers each scenario's query with bytes prepared once. */
async function startStaticBroker(bodies) {
  const server = createServer((req, res) => {
    const type = new URL(req.url, 'http://x').searchParams.get('type');
    const body = bodies.get(type);
    if (body === undefined) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

/** The filter on its own: median time of the plain pass, and of the sliced one with its longest stretch. */
async function filterAlone(s) {
  const snapshot = compileContracts([{ source: 'bench', doc: contract(`urn:bench:spatial:${s.type}`, s.area), expand: defaultExpander }]);
  const area = [...snapshot.contracts.values()][0].permissions[0].area;
  const input = {
    operation: 'entity.query', body: JSON.parse(JSON.stringify(Array.from({ length: s.entities }, (_, i) => entity(s, i)))),
    view: new Map(), otherTypes: { kind: 'all', except: new Set() }, expand: (t) => t, options: [],
    otherTypesWithin: [area], maxGeometryPoints: 10_000,
  };
  const plain = [];
  for (let r = 0; r <= RUNS; r++) {
    const t0 = performance.now();
    filter.filterResponse(input);
    if (r > 0) plain.push(performance.now() - t0); // the first run warms up
  }
  if (!filter.filterResponseInSlices) return { plain: median(plain) };
  const sliced = [], stretches = [];
  for (let r = 0; r < RUNS; r++) {
    let last = performance.now(), longest = 0, running = true;
    const tick = () => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const t0 = performance.now();
    await filter.filterResponseInSlices(input);
    sliced.push(performance.now() - t0);
    running = false;
    longest = Math.max(longest, performance.now() - last);
    stretches.push(longest);
    await new Promise((r) => setImmediate(r));
  }
  return { plain: median(plain), sliced: median(sliced), stretch: median(stretches) };
}

async function main() {
  console.log(`node ${process.version}; ${RUNS} runs per scenario (median shown)\n`);
  console.log('filter alone | ms | sliced ms | longest stretch without a turn ms');
  console.log('---|---:|---:|---:');
  const fmt = (v) => (v === undefined ? 'n/a' : v.toFixed(1));
  for (const s of SCENARIOS) {
    const f = await filterAlone(s);
    console.log(`${s.what} | ${fmt(f.plain)} | ${fmt(f.sliced)} | ${fmt(f.stretch)}`);
  }
  console.log('');

  const dir = mkdtempSync(join(tmpdir(), 'mimtrust-bench-spatial-'));
  const contracts = join(dir, 'contracts');
  mkdirSync(contracts);
  for (const s of SCENARIOS) writeFileSync(join(contracts, `${s.type}.jsonld`), JSON.stringify(contract(`urn:bench:spatial:${s.type}`, s.area)));
  const bodies = new Map(SCENARIOS.map((s) => [s.type, Buffer.from(JSON.stringify(Array.from({ length: s.entities }, (_, i) => entity(s, i))))]));
  const broker = await startStaticBroker(bodies);
  const config = buildConfig({
    listen: { host: '127.0.0.1', port: 0 }, keysDir: join(dir, 'keys'), store: { path: join(dir, 'gateway.db') },
    policiesDir: join(REPO, 'policies'), contractsDir: contracts, watchContracts: false, logLevel: 'silent',
    upstream: { url: broker.url, responseTimeoutMs: 60_000 },
  }, { baseDir: dir });
  const gateway = await startGateway({ ...config, logLevel: 'error' });
  const key = await loadOrCreateSigningKey(config.keysDir, LOCAL_ISSUER_KEY_NAME);
  const token = await issueLocalToken(key, { issuer: config.localIssuer.issuer, audience: config.localIssuer.audience }, { sub: 'bench', roles: ['viewer'], ttlSec: 3600 });
  const agent = new Agent({ connect: { ca: readFileSync(join(config.keysDir, 'tls-cert.pem'), 'utf8'), servername: 'localhost' } });
  const origin = gateway.url.replace('127.0.0.1', 'localhost');
  const get = async (path, auth) => {
    const res = await agent.request({ origin, path, method: 'GET', headers: auth ? { authorization: `Bearer ${token}` } : {} });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${bytes.toString('utf8', 0, 200)}`);
    return bytes;
  };
  try {
    await get('/health');
    console.log('through the gateway | query ms | shown | /health answered during the query | slowest /health ms');
    console.log('---|---:|---:|---:|---:');
    for (const s of SCENARIOS) {
      const path = `/ngsi-ld/v1/entities?type=${s.type}&limit=1000`;
      await get(path, true); // warm-up
      const times = [], counts = [], slowest = [];
      let shown = 0;
      for (let r = 0; r < RUNS; r++) {
        let done = false;
        const health = [];
        const t0 = performance.now();
        let answer;
        const query = get(path, true).then((bytes) => { done = true; answer = bytes; });
        while (!done) {
          const h0 = performance.now();
          await get('/health');
          if (!done) health.push(performance.now() - h0);
        }
        await query;
        times.push(performance.now() - t0);
        shown = JSON.parse(answer.toString('utf8')).length;
        counts.push(health.length);
        slowest.push(health.length ? Math.max(...health) : NaN);
      }
      console.log(`${s.what} | ${median(times).toFixed(0)} | ${shown}/${s.entities} | ${median(counts)} | ${median(slowest).toFixed(1)}`);
    }
  } finally {
    await gateway.close();
    await agent.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
