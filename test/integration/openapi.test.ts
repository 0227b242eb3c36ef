/**
 * The OpenAPI document tells the truth: it is read from the running gateway without a
 * token, holds as OpenAPI 3.1, and then every admin, citizen and decision route is called for real,
 * in success and in refusal, and each answer is checked against the schema the document
 * declares for its status (headers included). Every operation it lists is called.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { appendFileSync, cpSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, token, REPO, type Harness } from '../helpers/harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { declaredResponse, openApiProblems, operations, schemaChecker, type OpenApi } from '../helpers/openapi.js';

const E = '/ngsi-ld/v1/entities';

/** No providers: the operator's namespace takes API contracts. */
let plain: Harness;
/** Two providers, parking and transit, each with its own admins. */
let providers: Harness;
/** The document as the gateway served it. */
let served: Awaited<ReturnType<Harness['call']>>;
let doc: OpenApi;
let check: ReturnType<typeof schemaChecker>;
/** `METHOD path-template` called, and the statuses seen for each path template. */
const called = new Set<string>();
const seen = new Map<string, Set<number>>();

const tram = (uid: string, type = 'Tram') => ({
  '@context': ['http://www.w3.org/ns/odrl.jsonld', { ngsi: 'https://mimtrust.org/ns/odrl-ngsi-ld#' }],
  '@type': 'Set',
  uid,
  profile: 'https://mimtrust.org/ns/odrl-ngsi-ld',
  permission: [{ uid: `${uid}:read`, target: { '@type': 'AssetCollection', refinement: [{ leftOperand: 'ngsi:entityType', operator: 'eq', rightOperand: type }] }, action: 'ngsi:read' }],
});

beforeAll(async () => {
  const contractsDir = makeTempDir('contracts');
  cpSync(join(REPO, 'test', 'fixtures', 'contracts-city'), contractsDir, { recursive: true });
  // Without a prohibition, a type readable whole needs no filtering: the other proxy can be allowed it.
  unlinkSync(join(contractsDir, 'secret.jsonld'));
  plain = await startHarness({ contractsDir, pdp: { enabled: true } });
  plain.broker.seed({ id: 'urn:ngsi-ld:Tram:1', type: 'Tram', line: { type: 'Property', value: '4' } });
  const policiesDir = makeTempDir('policies');
  cpSync(join(REPO, 'policies'), policiesDir, { recursive: true });
  appendFileSync(join(policiesDir, 'roles.csv'), '\np, parking-admin, *, manageContracts:parking\n');
  providers = await startHarness({
    contractsDir: makeTempDir('contracts'),
    policiesDir,
    providers: [
      { id: 'parking', title: 'City parking company', owns: [{ tenants: ['@default', 'parking'], types: ['ParkingSpot'] }] },
      { id: 'transit', owns: [{ tenants: ['transit'], types: ['Tram'], idPatterns: ['^urn:ngsi-ld:Tram:'] }] },
    ],
  });
  served = await plain.call('GET', '/openapi.json');
  doc = served.json();
  check = schemaChecker(doc);
});
afterAll(async () => {
  await plain?.close();
  await providers?.close();
});

interface Call {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/**
 * Calls `path` (an instance of `template`) and checks the answer against the document:
 * its status is declared, its body holds the declared schema (or is empty where none is
 * declared), the declared headers are there; a body the document's request schema refuses
 * is refused with 400 unless the caller was refused first.
 */
async function call(h: Harness, method: string, template: string, path: string, c: Call = {}) {
  const op = doc.paths[template]?.[method.toLowerCase()];
  expect(op, `${method} ${template} is in the document`).toBeDefined();
  const res = await h.call(method, path, c);
  const where = `${method} ${path} → ${res.status} ${res.text.slice(0, 300)}`;
  const declared = declaredResponse(op, res.status);
  expect(declared, `${where}: status declared`).toBeDefined();
  const content = declared!.content as Record<string, { schema: unknown }> | undefined;
  if (content === undefined || method === 'HEAD') {
    expect(res.text, `${where}: no body declared`).toBe('');
  } else {
    const type = String(res.headers['content-type']).split(';')[0]!;
    expect(Object.keys(content), where).toContain(type);
    const validate = check(content[type]!.schema);
    expect(validate(res.json()) ? [] : validate.errors, `${where}: body holds the declared schema`).toEqual([]);
  }
  for (const name of Object.keys(declared!.headers ?? {})) expect(res.headers[name.toLowerCase()], `${where}: header ${name}`).toBeDefined();
  const request = op.requestBody?.content?.['application/json']?.schema;
  if (request !== undefined && c.body !== undefined && !check(request)(c.body) && res.status !== 401 && res.status !== 403) {
    expect(res.status, `${where}: a body the document refuses`).toBe(400);
  }
  called.add(`${method} ${template}`);
  seen.set(template, (seen.get(template) ?? new Set()).add(res.status));
  return res;
}

/** The operations anyone may call, without a token. */
const PUBLIC = new Set([
  'post /pdp/v1/decisions', 'post /credentials/verify', 'post /presentations/verify', 'get /credentials/status/{list}', 'get /.well-known/did.json',
]);

describe('the document', () => {
  it('is served without a token, as OpenAPI 3.1 that holds', async () => {
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toMatch(/^application\/json/);
    expect(openApiProblems(doc)).toEqual([]);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    // The proxied NGSI-LD API is the broker's: said, not described.
    expect(doc.info.description).toContain('NGSI-LD API the gateway proxies');
    expect(Object.keys(doc.paths).filter((p) => !/^\/(admin|pdp|credentials|presentations)\/|^\/consents(\/|$)|^\/\.well-known\/did\.json$/.test(p))).toEqual([]);
    // What a gateway serves, and only that: without the decision API, it is not described.
    const other: OpenApi = (await providers.call('GET', '/openapi.json')).json();
    expect(Object.keys(other.paths)).toEqual(Object.keys(doc.paths).filter((p) => !p.startsWith('/pdp/')));
  });

  it('says which routes need a token and which refusals are ProblemDetails', () => {
    for (const { path, method, op } of operations(doc)) {
      expect(op.security, `${method} ${path}`).toEqual(PUBLIC.has(`${method} ${path}`) ? [] : [{ bearer: [] }]);
      for (const [status, res] of Object.entries(op.responses as Record<string, { content?: Record<string, { schema: unknown }> }>)) {
        if (/^[45]/.test(status)) expect(res.content?.['application/json']?.schema, `${method} ${path} ${status}`).toEqual({ $ref: '#/components/schemas/ProblemDetails' });
      }
    }
  });
});

describe('the operator\'s contracts, as declared', () => {
  const C = '/admin/contracts';
  const U = '/admin/contracts/{uid}';
  const admin = () => token(plain.issuer, { roles: ['contract-admin'] });

  it('list, create, validate', async () => {
    await call(plain, 'GET', C, C);
    await call(plain, 'GET', C, C, { token: await token(plain.issuer, { roles: ['viewer'] }) });
    const list = await call(plain, 'GET', C, C, { token: await admin() });
    expect(list.status).toBe(200);
    const created = await call(plain, 'POST', C, C, { token: await admin(), body: tram('urn:test:tram') });
    expect(created.status).toBe(201);
    expect((await call(plain, 'POST', C, C, { token: await admin(), body: tram('urn:test:tram') })).status).toBe(409);
    const bad = { ...tram('urn:test:bad'), permission: [{ uid: 'x', action: 'ngsi:read', constraint: [{ leftOperand: 'weather', operator: 'eq', rightOperand: 'sunny' }] }] };
    expect((await call(plain, 'POST', C, C, { token: await admin(), body: bad })).status).toBe(400);
    expect((await call(plain, 'POST', C, C, { token: await admin(), body: ['not', 'a', 'contract'] })).status).toBe(400);
    expect((await call(plain, 'POST', C, C, { token: await admin(), rawBody: '{"uid": ', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await call(plain, 'POST', C, C, { token: await admin(), rawBody: 'uid=x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const huge = JSON.stringify({ ...tram('urn:test:huge'), padding: 'x'.repeat(plain.config.limits.bodyBytes) });
    expect((await call(plain, 'POST', C, C, { token: await admin(), rawBody: huge, headers: { 'content-type': 'application/json' } })).status).toBe(413);
    const valid = await call(plain, 'POST', `${C}/validate`, `${C}/validate`, { token: await admin(), body: tram('urn:test:draft') });
    expect(valid.json()).toMatchObject({ valid: true, errors: [], contract: { uid: 'urn:test:draft' } });
    const invalid = await call(plain, 'POST', `${C}/validate`, `${C}/validate`, { token: await admin(), body: bad });
    expect(invalid.json()).toMatchObject({ valid: false, errors: [{ code: 'ERR_CONTRACT_MALFORMED', file: 'request' }, { code: 'ERR_CONTRACT_UNKNOWN_TERM', file: 'request' }] });
    expect((await call(plain, 'POST', `${C}/validate`, `${C}/validate`, { token: await admin(), body: ['not', 'a', 'contract'] })).status).toBe(400);
  });

  it('retrieve, replace, delete', async () => {
    const got = await call(plain, 'GET', U, `${C}/urn%3Atest%3Atram`, { token: await admin() });
    expect(got.json().document.uid).toBe('urn:test:tram');
    // A contract file's: no document shown.
    expect((await call(plain, 'GET', U, `${C}/urn%3Atest%3Aparking`, { token: await admin() })).json().document).toBeUndefined();
    expect((await call(plain, 'GET', U, `${C}/urn%3Atest%3Anone`, { token: await admin() })).status).toBe(404);
    expect((await call(plain, 'PUT', U, `${C}/urn%3Atest%3Atram`, { token: await admin(), body: tram('urn:test:tram', 'Bus') })).status).toBe(200);
    expect((await call(plain, 'PUT', U, `${C}/urn%3Atest%3Anew`, { token: await admin(), body: tram('urn:test:new') })).status).toBe(201);
    expect((await call(plain, 'PUT', U, `${C}/urn%3Atest%3Aother`, { token: await admin(), body: tram('urn:test:new') })).status).toBe(400);
    await call(plain, 'PUT', U, `${C}/urn%3Atest%3Aparking`, { token: await admin(), body: tram('urn:test:parking') });
    expect((await call(plain, 'DELETE', U, `${C}/urn%3Atest%3Anew`, { token: await admin() })).status).toBe(204);
    expect((await call(plain, 'DELETE', U, `${C}/urn%3Atest%3Anew`, { token: await admin() })).status).toBe(404);
    expect((await call(plain, 'DELETE', U, `${C}/urn%3Atest%3Aparking`, { token: await admin() })).status).toBe(400);
    expect((await call(plain, 'DELETE', U, `${C}/urn%3Atest%3Atram`, { token: await token(plain.issuer, { roles: ['viewer'] }) })).status).toBe(403);
  });

  it('contract documents and the dry run', async () => {
    expect((await call(plain, 'GET', '/admin/contract-documents', '/admin/contract-documents', { token: await admin() })).status).toBe(200);
    const D = '/admin/decisions';
    const ask = async (body: unknown) => call(plain, 'POST', D, D, { token: await admin(), body });
    expect((await ask({ request: { method: 'GET', url: `${E}?type=ParkingSpot` }, caller: { sub: 'alice', roles: ['viewer'] } })).json().effect).toBe('permit');
    const denied = await ask({ request: { method: 'GET', url: `${E}?type=ParkingSpot&attrs=ownerReference` }, caller: { roles: ['viewer'] }, now: '2026-03-01T08:00:00Z' });
    expect(denied.json()).toMatchObject({ effect: 'deny', culprit: { attribute: expect.any(String) } });
    // Refused before any rule is looked at: a path outside the NGSI-LD API.
    const refused = await ask({ request: { method: 'GET', url: '/elsewhere' }, caller: { roles: ['viewer'] } });
    expect(refused.json()).toMatchObject({ effect: 'deny', status: expect.any(Number) });
    expect((await ask({ request: { method: 'GET' }, caller: {} })).status).toBe(400);
    expect((await ask({ request: { method: 'GET', url: E }, caller: { issuer: 'nobody-we-know' } })).status).toBe(400);
  });

  it('who sees what', async () => {
    const X = '/admin/contracts/explain';
    const ask = async (body: unknown, roles = ['contract-admin']) => call(plain, 'POST', X, X, { token: await token(plain.issuer, { roles }), body });
    const e = await ask({ caller: { sub: 'alice', roles: ['viewer'], purpose: 'dpv:PublicBenefit' }, at: '2026-03-01T08:00:00Z' });
    expect(e.json().types.some((t: { name: string }) => t.name === 'ParkingSpot')).toBe(true);
    expect((await ask({ caller: {}, at: 'soon' })).status).toBe(400);
    expect((await ask({ caller: { roles: ['viewer'] } }, ['viewer'])).status).toBe(403);
  });

  it('the trusted issuers list', async () => {
    const L = '/admin/trusted-issuers';
    const T = '/admin/trusted-issuers/{did}';
    const did = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
    const at = `${L}/${encodeURIComponent(did)}`;
    const entry = { credentialTypes: ['OrganisationCredential'], roles: [{ claim: 'role', value: 'dataUser', roles: ['viewer'] }] };
    expect((await call(plain, 'PUT', T, at, { token: await admin(), body: entry })).status).toBe(201);
    expect((await call(plain, 'PUT', T, at, { token: await admin(), body: { ...entry, validUntil: '2030-01-01T00:00:00Z' } })).status).toBe(200);
    expect((await call(plain, 'PUT', T, at, { token: await admin(), body: { ...entry, credentialTypes: [] } })).status).toBe(400);
    expect((await call(plain, 'PUT', T, `${L}/not-a-did`, { token: await admin(), body: entry })).status).toBe(400);
    expect((await call(plain, 'GET', L, L, { token: await admin() })).json()).toEqual([{ did, ...entry, validFrom: null, validUntil: '2030-01-01T00:00:00Z', source: 'admin' }]);
    expect((await call(plain, 'GET', T, at, { token: await admin() })).json().source).toBe('admin');
    expect((await call(plain, 'GET', T, at, { token: await token(plain.issuer, { roles: ['viewer'] }) })).status).toBe(403);
    expect((await call(plain, 'DELETE', T, at, { token: await admin() })).status).toBe(204);
    expect((await call(plain, 'DELETE', T, at, { token: await admin() })).status).toBe(404);
    expect((await call(plain, 'GET', T, at, { token: await admin() })).status).toBe(404);
  });

  it('providers, when none are configured', async () => {
    expect((await call(plain, 'GET', '/admin/providers', '/admin/providers', { token: await admin() })).json()).toEqual([]);
    expect((await call(plain, 'GET', '/admin/providers/{provider}', '/admin/providers/parking', { token: await admin() })).status).toBe(404);
  });
});

describe('a provider\'s contracts, as declared', () => {
  const P = '/admin/providers/{provider}';
  const C = `${P}/contracts`;
  const U = `${C}/{uid}`;
  const as = (...roles: string[]) => token(providers.issuer, { roles });
  const spots = (uid: string) => tram(uid, 'ParkingSpot');

  it('providers', async () => {
    const all = await call(providers, 'GET', '/admin/providers', '/admin/providers', { token: await as('contract-admin') });
    expect(all.json().map((p: { id: string }) => p.id)).toEqual(['parking', 'transit']);
    expect((await call(providers, 'GET', '/admin/providers', '/admin/providers', { token: await as('parking-admin') })).status).toBe(403);
    expect((await call(providers, 'GET', P, '/admin/providers/parking', { token: await as('parking-admin') })).json()).toMatchObject({ id: 'parking', title: 'City parking company' });
    expect((await call(providers, 'GET', P, '/admin/providers/transit', { token: await as('contract-admin') })).json().owns[0].idPatterns).toEqual(['^urn:ngsi-ld:Tram:']);
    expect((await call(providers, 'GET', P, '/admin/providers/transit', { token: await as('parking-admin') })).status).toBe(403);
    expect((await call(providers, 'GET', P, '/admin/providers/nobody', { token: await as('contract-admin') })).status).toBe(404);
  });

  it('their contracts', async () => {
    const admin = await as('parking-admin');
    expect((await call(providers, 'POST', C, '/admin/providers/parking/contracts', { token: admin, body: spots('urn:test:spots') })).status).toBe(201);
    expect((await call(providers, 'POST', C, '/admin/providers/parking/contracts', { token: admin, body: tram('urn:test:steal') })).status).toBe(403);
    expect((await call(providers, 'POST', C, '/admin/providers/transit/contracts', { token: admin, body: tram('urn:test:steal') })).status).toBe(403);
    // The operator's namespace takes no contracts while providers are configured.
    expect((await call(providers, 'POST', '/admin/contracts', '/admin/contracts', { token: await as('contract-admin'), body: spots('urn:test:mine') })).status).toBe(403);
    expect((await call(providers, 'GET', C, '/admin/providers/parking/contracts', { token: admin })).json()).toHaveLength(1);
    expect((await call(providers, 'GET', C, '/admin/providers/nobody/contracts', { token: await as('contract-admin') })).status).toBe(404);
    expect((await call(providers, 'POST', `${C}/validate`, '/admin/providers/parking/contracts/validate', { token: admin, body: spots('urn:test:draft') })).status).toBe(200);
    expect((await call(providers, 'POST', `${C}/validate`, '/admin/providers/parking/contracts/validate', { token: admin, body: tram('urn:test:draft') })).json()).toMatchObject({ valid: false, errors: [{ code: 'ERR_CONTRACT_NOT_OWNED' }] });
    expect((await call(providers, 'POST', `${C}/validate`, '/admin/providers/transit/contracts/validate', { token: admin, body: tram('urn:test:draft') })).status).toBe(403);
    expect((await call(providers, 'GET', U, '/admin/providers/parking/contracts/urn%3Atest%3Aspots', { token: admin })).json().provider).toBe('parking');
    expect((await call(providers, 'GET', U, '/admin/providers/parking/contracts/urn%3Atest%3Anone', { token: admin })).status).toBe(404);
    expect((await call(providers, 'PUT', U, '/admin/providers/parking/contracts/urn%3Atest%3Aspots', { token: admin, body: spots('urn:test:spots') })).status).toBe(200);
    expect((await call(providers, 'PUT', U, '/admin/providers/parking/contracts/urn%3Atest%3Amore', { token: admin, body: spots('urn:test:more') })).status).toBe(201);
    expect((await call(providers, 'DELETE', U, '/admin/providers/parking/contracts/urn%3Atest%3Amore', { token: admin })).status).toBe(204);
    expect((await call(providers, 'DELETE', U, '/admin/providers/parking/contracts/urn%3Atest%3Amore', { token: admin })).status).toBe(404);
    const explained = await call(providers, 'POST', `${C}/explain`, '/admin/providers/parking/contracts/explain', { token: admin, body: { caller: { roles: ['viewer'] } } });
    expect(explained.json().types.map((t: { name: string }) => t.name)).toEqual(['ParkingSpot']);
    expect((await call(providers, 'POST', `${C}/explain`, '/admin/providers/transit/contracts/explain', { token: admin, body: { caller: {} } })).status).toBe(403);
    expect((await call(providers, 'POST', `${C}/explain`, '/admin/providers/nobody/contracts/explain', { token: await as('contract-admin'), body: { caller: {} } })).status).toBe(404);
    expect((await call(providers, 'POST', `${C}/explain`, '/admin/providers/parking/contracts/explain', { token: admin, body: { caller: { roles: 'viewer' } } })).status).toBe(400);
  });
});

describe('the citizen consent API, as declared', () => {
  const C = '/consents';
  const U = '/consents/{id}';
  const W = '/consents/{id}/withdraw';
  const citizen = (sub = 'carol') => token(plain.issuer, { sub, roles: [], extra: { scope: 'consents' } });
  const given = { recipient: 'test-client', purposes: ['dpv:ServiceProvision'], personalData: [{ type: 'EnergyMeter', attributes: ['totalActiveEnergyImport'] }] };
  let id: string;

  it('list, give, export', async () => {
    expect((await call(plain, 'GET', C, C)).status).toBe(401);
    expect((await call(plain, 'GET', C, C, { token: await citizen() })).json()).toEqual([]);
    const made = await call(plain, 'POST', C, C, { token: await citizen(), body: given });
    expect(made.status, made.text).toBe(201);
    id = made.json().id;
    expect((await call(plain, 'POST', C, C, { token: await citizen(), body: { ...given, recipient: 'nobody-at-all', extra: 1 } })).status).toBe(400);
    expect((await call(plain, 'POST', C, C, { token: await citizen(), body: { ...given, purposes: ['dpv:NoSuchPurpose'] } })).status).toBe(400);
    expect((await call(plain, 'POST', C, C, { token: await citizen(), body: { ...given, validUntil: '2001-01-01T00:00:00Z' } })).status).toBe(400);
    expect((await call(plain, 'POST', C, C, { token: await citizen('a b'), body: given })).status).toBe(403);
    expect((await call(plain, 'POST', C, C, { token: await citizen(), rawBody: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const exported = await call(plain, 'GET', `${C}/export`, `${C}/export`, { token: await citizen() });
    expect(exported.json().records).toHaveLength(1);
  });

  it('retrieve, withdraw', async () => {
    expect((await call(plain, 'GET', U, `${C}/${encodeURIComponent(id)}`, { token: await citizen() })).json().status).toBe('given');
    // Another person's record answers as missing.
    expect((await call(plain, 'GET', U, `${C}/${encodeURIComponent(id)}`, { token: await citizen('dave') })).status).toBe(404);
    expect((await call(plain, 'POST', W, `${C}/${encodeURIComponent(id)}/withdraw`, { token: await citizen('dave') })).status).toBe(404);
    expect((await call(plain, 'POST', W, `${C}/${encodeURIComponent(id)}/withdraw`, { token: await citizen() })).json().status).toBe('withdrawn');
  });

  it('receipt', async () => {
    const R = '/consents/{id}/receipt';
    expect((await call(plain, 'GET', R, `${C}/${encodeURIComponent(id)}/receipt`)).status).toBe(401);
    expect((await call(plain, 'GET', R, `${C}/${encodeURIComponent(id)}/receipt`, { token: await citizen('dave') })).status).toBe(404);
    const receipt = await call(plain, 'GET', R, `${C}/${encodeURIComponent(id)}/receipt`, { token: await citizen() });
    expect(receipt.status).toBe(200);
    receiptOf = receipt.json();
  });
});

/** A receipt downloaded above, for the credential routes. */
let receiptOf: Record<string, any>;

describe('the credential routes, as declared', () => {
  const admin = () => token(plain.issuer, { roles: ['contract-admin'] });
  const credential = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'], credentialSubject: { id: 'urn:uuid:9a0f3c1e-2b4d-4e6f-8a1b-3c5d7e9f1a2b' } };

  it('the DID document and a status list', async () => {
    expect((await call(plain, 'GET', '/.well-known/did.json', '/.well-known/did.json')).status).toBe(200);
    const S = '/credentials/status/{list}';
    expect((await call(plain, 'GET', S, new URL(receiptOf.credentialStatus.statusListCredential).pathname)).status).toBe(200);
    expect((await call(plain, 'GET', S, '/credentials/status/999')).status).toBe(404);
  });

  it('verify a credential, verify a presentation', async () => {
    const V = '/credentials/verify';
    expect((await call(plain, 'POST', V, V, { body: { verifiableCredential: receiptOf } })).json().errors[0].code).toBe('credential_revoked');
    expect((await call(plain, 'POST', V, V, { body: { verifiableCredential: receiptOf, extra: true } })).status).toBe(400);
    expect((await call(plain, 'POST', V, V, { rawBody: 'vc', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const P = '/presentations/verify';
    const unsigned = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], holder: 'did:example:nobody' };
    expect((await call(plain, 'POST', P, P, { body: { verifiablePresentation: unsigned, options: { challenge: 'c' } } })).json().verified).toBe(false);
    expect((await call(plain, 'POST', P, P, { body: { verifiablePresentation: unsigned } })).status).toBe(400);
  });

  it('issue', async () => {
    const I = '/credentials/issue';
    expect((await call(plain, 'POST', I, I, { token: await admin(), body: { credential } })).status).toBe(201);
    expect((await call(plain, 'POST', I, I, { token: await admin(), body: { credential: { ...credential, credentialSubject: { id: 'urn:x:1', undefinedTerm: 1 } } } })).status).toBe(400);
    expect((await call(plain, 'POST', I, I, { body: { credential } })).status).toBe(401);
    expect((await call(plain, 'POST', I, I, { token: await token(plain.issuer), body: { credential } })).status).toBe(403);
  });

  it('revoke (the status update)', async () => {
    const S = '/credentials/status';
    const made = await plain.call('POST', '/credentials/issue', { token: await admin(), body: { credential } });
    const update = (status: string, credentialId = made.json().verifiableCredential.id) => ({ credentialId, credentialStatus: [{ type: 'BitstringStatusListCredential', status }] });
    expect((await call(plain, 'POST', S, S, { token: await admin(), body: update('revoked') })).status).toBe(200);
    expect((await call(plain, 'POST', S, S, { token: await admin(), body: update('active') })).status).toBe(409);
    expect((await call(plain, 'POST', S, S, { token: await admin(), body: update('revoked', 'urn:uuid:00000000-0000-4000-8000-000000000000') })).status).toBe(404);
    expect((await call(plain, 'POST', S, S, { token: await admin(), body: { credentialId: 'x' } })).status).toBe(400);
    expect((await call(plain, 'POST', S, S, { body: update('revoked') })).status).toBe(401);
    expect((await call(plain, 'POST', S, S, { token: await token(plain.issuer), body: update('revoked') })).status).toBe(403);
  });
});

describe('the decision point, as declared', () => {
  beforeAll(async () => {
    const made = await plain.call('POST', '/admin/contracts', { token: await token(plain.issuer, { roles: ['contract-admin'] }), body: tram('urn:test:lamps', 'Lamp') });
    expect(made.status).toBe(201);
  });

  // Permits for a type readable whole: the other proxy forwards the broker's answer as it is.
  it('the JSON decision API', async () => {
    const D = '/pdp/v1/decisions';
    const bearer = `Bearer ${await token(plain.issuer)}`;
    const allow = await call(plain, 'POST', D, D, { body: { input: { method: 'GET', path: `${E}?type=Lamp`, headers: { authorization: bearer } } } });
    expect(allow.json().result.allow).toBe(true);
    const unlisted = await call(plain, 'POST', D, D, { body: { input: { method: 'GET', path: `${E}?type=Unlisted`, headers: { authorization: bearer } } } });
    expect(unlisted.json().result).toMatchObject({ allow: false, effect: 'deny' });
    const anonymous = await call(plain, 'POST', D, D, { body: { input: { method: 'GET', path: E } } });
    expect(anonymous.json().result).toMatchObject({ allow: false, reason: 'token_missing', status: 401 });
    expect((await call(plain, 'POST', D, D, { body: { inputs: {} } })).status).toBe(400);
    expect((await call(plain, 'POST', D, D, { rawBody: 'input', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });

  it('the ext_authz service, for every method', async () => {
    const T = '/pdp/v1/ext_authz/{path}';
    const viewer = { authorization: `Bearer ${await token(plain.issuer)}` };
    const ok = await call(plain, 'GET', T, `/pdp/v1/ext_authz${E}?type=Lamp`, { headers: viewer });
    expect(ok.status, ok.text).toBe(200);
    expect((await call(plain, 'GET', T, `/pdp/v1/ext_authz${E}?type=Unlisted`, { headers: viewer })).status).toBe(403);
    expect((await call(plain, 'GET', T, `/pdp/v1/ext_authz${E}?type=ParkingSpot&q=${'('.repeat(3)}`, { headers: viewer })).status).toBe(400);
    for (const method of ['HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      expect((await call(plain, method, T, `/pdp/v1/ext_authz${E}/urn:ngsi-ld:Tram:1`)).status).toBe(401);
    }
  });
});

describe('coverage', () => {
  it('every operation the document lists was called, and each path gave each success it declares', () => {
    for (const { path, method, op } of operations(doc)) {
      expect(called, `${method.toUpperCase()} ${path}`).toContain(`${method.toUpperCase()} ${path}`);
      for (const status of Object.keys(op.responses).filter((s) => s.startsWith('2'))) {
        expect([...(seen.get(path) ?? [])], `${path} ${status}`).toContain(Number(status));
      }
    }
  });
});
