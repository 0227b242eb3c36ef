import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientCredentialsToken, createUpstreamAuth, parseTokenResponse, readSecret } from '../../src/upstream/index.js';
import { buildConfig, ConfigError } from '../../src/config/index.js';
import { MimtrustError } from '../../src/errors/index.js';
import { CLIENT_ID, CLIENT_SECRET, startTokenEndpoint, type TokenEndpoint } from '../helpers/token-endpoint.js';
import { refusal } from '../helpers/refusal.js';

let ep: TokenEndpoint;
beforeAll(async () => {
  ep = await startTokenEndpoint();
});
afterAll(async () => ep.close());
afterEach(() => {
  ep.requests.length = 0;
  ep.expiresIn = 300;
  ep.failWith = undefined;
  ep.hold = false;
});

function clientToken(clock: { t: number }, extra: Partial<ConstructorParameters<typeof ClientCredentialsToken>[0]> = {}): ClientCredentialsToken {
  return new ClientCredentialsToken({
    tokenUrl: ep.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, authMethod: 'client_secret_basic',
    refreshBeforeSec: 30, timeoutMs: 2000, now: () => clock.t, ...extra,
  });
}

describe('client-credentials token for the broker', () => {
  it('fetches once for concurrent requests and reuses the token until shortly before expiry', async () => {
    const clock = { t: 1_000_000 };
    const tok = clientToken(clock);
    ep.hold = true;
    // authorization() answers a string when a token is cached; none is yet, so these wait on one fetch.
    const first = [tok.authorization(), tok.authorization(), tok.authorization()].map((a) => Promise.resolve(a));
    await ep.received(1);
    ep.hold = false;
    ep.release();
    expect(await Promise.all(first)).toEqual(['Bearer broker-token-1', 'Bearer broker-token-1', 'Bearer broker-token-1']);
    expect(ep.requests).toHaveLength(1);
    expect(ep.requests[0]!.form).toEqual({ grant_type: 'client_credentials' });

    clock.t += (300 - 31) * 1000; // still outside the 30 s refresh margin
    expect(await tok.authorization()).toBe('Bearer broker-token-1');
    clock.t += 2000; // inside it: a new token, before the old one expires
    expect(await tok.authorization()).toBe('Bearer broker-token-2');
    expect(ep.requests).toHaveLength(2);
  });

  it('sends scope, audience and, with client_secret_post, the credentials as form fields', async () => {
    const tok = clientToken({ t: 0 }, { authMethod: 'client_secret_post', scope: 'ngsi-ld:write', audience: 'broker' });
    expect(await tok.authorization()).toMatch(/^Bearer broker-token-\d+$/);
    expect(ep.requests[0]!.authorization).toBeUndefined();
    expect(ep.requests[0]!.form).toEqual({
      grant_type: 'client_credentials', scope: 'ngsi-ld:write', audience: 'broker', client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    });
  });

  it('refuses with 503 when the endpoint fails, and tries again on the next request', async () => {
    const clock = { t: 0 };
    const tok = clientToken(clock);
    ep.failWith = { status: 500, body: '{}' };
    const err = await refusal(tok.authorization());
    expect(err.status).toBe(503);
    expect(err.reason).toBe('upstream_credentials_unavailable');
    ep.failWith = undefined;
    expect(await tok.authorization()).toMatch(/^Bearer broker-token-\d+$/);
    expect(ep.requests).toHaveLength(2);
  });

  it('refuses when the client is not accepted', async () => {
    const err = await refusal(clientToken({ t: 0 }, { clientSecret: 'wrong' }).authorization());
    expect(err.status).toBe(503);
  });

  it('refuses when the token endpoint cannot be reached', async () => {
    const err = await refusal(clientToken({ t: 0 }, { tokenUrl: 'http://127.0.0.1:1/token' }).authorization());
    expect(err.reason).toBe('upstream_credentials_unavailable');
  });

  it('does not keep using a token past the refresh point when the refresh fails', async () => {
    const clock = { t: 0 };
    const tok = clientToken(clock);
    await tok.authorization();
    clock.t += 280_000;
    ep.failWith = { status: 503, body: '' };
    await refusal(tok.authorization());
  });

  it('fetches again after the broker rejected the token', async () => {
    const tok = clientToken({ t: 0 });
    const a = await tok.authorization();
    tok.invalidate();
    const b = await tok.authorization();
    expect(a).not.toBe(b);
  });

  it('reuses a token without expires_in for a bounded time only', async () => {
    const clock = { t: 0 };
    const tok = clientToken(clock);
    ep.expiresIn = undefined;
    await tok.authorization();
    clock.t += 60_000;
    await tok.authorization();
    expect(ep.requests).toHaveLength(2);
  });

  it.each([
    ['not JSON', 'hello'],
    ['an array', '[]'],
    ['no access_token', '{"token_type":"Bearer"}'],
    ['a token that would break the header', '{"access_token":"a\\r\\nx-evil: 1","token_type":"Bearer"}'],
    ['a non-Bearer token', '{"access_token":"abc","token_type":"mac"}'],
    ['a negative lifetime', '{"access_token":"abc","token_type":"Bearer","expires_in":-5}'],
  ])('refuses a token response that is %s', (_name, text) => {
    expect(() => parseTokenResponse(text)).toThrow(MimtrustError);
  });
});

describe('broker credential configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mimtrust-upauth-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a static header from a file or an environment variable, never echoing it in errors', async () => {
    writeFileSync(join(dir, 'broker-auth'), 'Basic Y2Fzc2lvcGVpYTpjYXNzaW9wZWlh\n');
    const fromFile = buildConfig({ upstream: { auth: { header: { name: 'Authorization', valueFile: 'broker-auth' } } } }, { baseDir: dir });
    const a = createUpstreamAuth(fromFile.upstream.auth, {})!;
    expect(a.header).toBe('authorization');
    expect(await a.value()).toBe('Basic Y2Fzc2lvcGVpYTpjYXNzaW9wZWlh');

    const fromEnv = buildConfig({ upstream: { auth: { header: { name: 'X-Api-Key', valueEnv: 'BROKER_KEY' } } } }, { baseDir: dir });
    expect(await createUpstreamAuth(fromEnv.upstream.auth, { BROKER_KEY: 'k-123' })!.value()).toBe('k-123');
    expect(() => createUpstreamAuth(fromEnv.upstream.auth, {})).toThrow(/BROKER_KEY/);
    expect(() => createUpstreamAuth(fromEnv.upstream.auth, { BROKER_KEY: 'a\r\nb' })).toThrow(/line break/);
  });

  it('builds nothing when no credential is configured', () => {
    expect(createUpstreamAuth(buildConfig({}, { baseDir: dir }).upstream.auth)).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['both kinds', { header: { name: 'Authorization', value: 'x' }, clientCredentials: { tokenUrl: 'http://127.0.0.1/t', clientId: 'c', clientSecret: 's' } }, 'upstream.auth'],
    ['no header value', { header: { name: 'Authorization' } }, 'upstream.auth.header'],
    ['two header values', { header: { name: 'Authorization', value: 'x', valueEnv: 'Y' } }, 'upstream.auth.header'],
    ['a reserved header name', { header: { name: 'NGSILD-Tenant', value: 'x' } }, 'upstream.auth.header.name'],
    ['no client secret', { clientCredentials: { tokenUrl: 'http://127.0.0.1/t', clientId: 'c' } }, 'upstream.auth.clientCredentials'],
  ])('refuses %s', (_name, auth, key) => {
    try {
      buildConfig({ upstream: { auth } }, { baseDir: dir });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).key).toBe(key);
    }
  });

  it('refuses the gateway credential together with forwarding the caller one', () => {
    expect(() => buildConfig({ upstream: { forwardAuthorization: true, auth: { header: { name: 'Authorization', value: 'x' } } } }, { baseDir: dir }))
      .toThrow(/forwardAuthorization/);
  });

  it('reads a secret that is a plain value', () => {
    expect(readSecret({ value: 'v' }, 'k', {})).toBe('v');
    expect(() => readSecret({}, 'k', {})).toThrow(/no value/);
  });
});
