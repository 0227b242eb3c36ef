import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConfig, derivedIssuerName, loadConfig, namedIssuers, ConfigError } from '../../src/config/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const REPO = new URL('../..', import.meta.url).pathname;

const issuer = (iss: string, more: Record<string, unknown> = {}) => ({ issuer: iss, jwksUri: 'https://keys.example/jwks', audience: 'a', ...more });

describe('configuration', () => {
  it('fills every default and makes paths absolute', () => {
    const c = buildConfig({}, { baseDir: '/srv/mimtrust' });
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(c.tls.enabled).toBe(true);
    expect(c.store.path).toBe('/srv/mimtrust/data/mimtrust.db');
    expect(c.keysDir).toBe('/srv/mimtrust/keys');
    expect(c.upstream.basePath).toBe('/ngsi-ld/v1');
  });

  it('the shipped example is complete and valid', () => {
    const { config } = loadConfig(join(REPO, 'mimtrust.example.yaml'), {});
    expect(config.upstream.url).toBe('http://127.0.0.1:1026');
  });

  it('applies environment overrides with type checks', () => {
    const c = buildConfig({}, { baseDir: '/x', env: { MIMTRUST_PORT: '9443', MIMTRUST_TLS_ENABLED: 'false', MIMTRUST_UPSTREAM_URL: 'http://orion:1026' } });
    expect(c.listen.port).toBe(9443);
    expect(c.tls.enabled).toBe(false);
    expect(c.upstream.url).toBe('http://orion:1026');
    expect(() => buildConfig({}, { baseDir: '/x', env: { MIMTRUST_PORT: 'eighty' } })).toThrowError(/listen\.port.*MIMTRUST_PORT/);
    const pg = buildConfig({}, { baseDir: '/x', env: { MIMTRUST_STORE_URL: 'postgres://gw@db:5432/mimtrust', MIMTRUST_STORE_INSTANCE: 'gw-1' } });
    expect(pg.store).toMatchObject({ url: 'postgres://gw@db:5432/mimtrust', instance: 'gw-1' });
    expect(buildConfig({}, { baseDir: '/x' }).store).toMatchObject({ url: null, instance: null });
  });

  it('runs the OIDC issuer and the wallet on PostgreSQL, as on SQLite', () => {
    const c = buildConfig({ store: { url: 'postgres://h/db' }, oidc: { enabled: true, issuer: 'https://h/oidc' } }, { baseDir: '/x' });
    expect(c.oidc.enabled).toBe(true);
    expect(c.wallet.enabled).toBe(true);
  });

  const wrong: Array<[string, unknown, RegExp]> = [
    ['unknown key', { upstream: { urll: 'http://x' } }, /"upstream\.urll": is not a known key/],
    ['wrong type', { listen: { port: 'x' } }, /"listen\.port"/],
    ['port out of range', { listen: { port: 70000 } }, /"listen\.port"/],
    ['bad enum', { tls: { minVersion: 'TLSv1' } }, /"tls\.minVersion": must be one of/],
    ['upstream not http', { upstream: { url: 'ftp://x' } }, /"upstream\.url"/],
    ['store url not PostgreSQL', { store: { url: 'mysql://h/db' } }, /"store\.url"/],
    ['store instance not a name', { store: { instance: '../a' } }, /"store\.instance"/],
    ['cert without key', { tls: { cert: 'a.pem' } }, /"tls\.key"/],
    ['mTLS required without CA', { tls: { requireClientCert: true } }, /"tls\.clientCa"/],
    ['issuer without keys', { issuers: [{ issuer: 'https://i', audience: 'a' }] }, /"issuers\.0": must set exactly one of jwksUri or jwksFile/],
    ['issuer without audience', { issuers: [{ issuer: 'https://i', jwksUri: 'https://i/jwks' }] }, /"issuers\.0\.audience": is required/],
    ['provider listed twice', { providers: [{ id: 'p', owns: [{ tenants: ['@default'], types: ['T'] }] }, { id: 'p', owns: [{ tenants: ['a'], types: ['U'] }] }] }, /"providers\.1\.id": is listed twice/],
    ['provider id with a slash', { providers: [{ id: 'a/b', owns: [{ tenants: ['@default'], types: ['T'] }] }] }, /"providers\.0\.id"/],
    ['provider owning nothing', { providers: [{ id: 'p', owns: [] }] }, /"providers\.0\.owns"/],
    ['provider tenant not a tenant name', { providers: [{ id: 'p', owns: [{ tenants: ['a b'], types: ['T'] }] }] }, /"providers\.0\.owns\.0\.tenants\.0"/],
    ['HMAC algorithm', { issuers: [{ issuer: 'https://i', jwksUri: 'https://i/j', audience: 'a', algorithms: ['HS256'] }] }, /"issuers\.0\.algorithms\.0"/],
    ['issuer name with a slash', { issuers: [issuer('https://i', { name: 'partner/idp' })] }, /"issuers\.0\.name"/],
    ['issuer name in capitals', { issuers: [issuer('https://i', { name: 'Partner' })] }, /"issuers\.0\.name"/],
    ['issuer named local', { issuers: [issuer('https://i', { name: 'local' })] }, /"issuers\.0\.name": "local" is the local issuer's name/],
    ['two issuers, one name', { issuers: [issuer('https://a.example', { name: 'idp' }), issuer('https://b.example', { name: 'idp' })] }, /"issuers\.1\.name": "idp" is also the name of issuers\.0/],
    ['two issuers, one derived name', { issuers: [issuer('https://idp.example/a-b'), issuer('https://idp.example/a.b')] }, /"issuers\.1\.name": "idp-example-a-b" is also the name of issuers\.0; set a name/],
    ['no name can be derived', { issuers: [issuer('::')] }, /"issuers\.0\.name": is required/],
  ];
  for (const [name, input, message] of wrong) {
    it(`stops on a wrong config (${name}) with a message naming the key`, () => {
      expect(() => buildConfig(input, { baseDir: '/x' })).toThrowError(ConfigError);
      expect(() => buildConfig(input, { baseDir: '/x' })).toThrowError(message);
    });
  }

  it('names every trusted issuer: local first, then each by its name or one derived from its iss', () => {
    const c = buildConfig({
      issuers: [
        issuer('https://idp.partner.example/realms/Fleet'),
        issuer('https://login.city.example', { name: 'city-idp', cityOwn: true }),
        issuer('urn:example:issuer:7'),
        issuer('http://127.0.0.1:8080/'),
      ],
    }, { baseDir: '/x' });
    expect(namedIssuers(c)).toEqual([
      { name: 'local', issuer: 'urn:mimtrust:local-issuer', cityOwn: true },
      { name: 'idp-partner-example-realms-fleet', issuer: 'https://idp.partner.example/realms/Fleet', cityOwn: false },
      { name: 'city-idp', issuer: 'https://login.city.example', cityOwn: true },
      { name: 'urn-example-issuer-7', issuer: 'urn:example:issuer:7', cityOwn: false },
      { name: '127-0-0-1-8080', issuer: 'http://127.0.0.1:8080/', cityOwn: false },
    ]);
    const withoutLocal = buildConfig({ localIssuer: { enabled: false }, issuers: [issuer('https://idp.example', { name: 'local-idp' })] }, { baseDir: '/x' });
    expect(namedIssuers(withoutLocal).map((i) => i.name)).toEqual(['local-idp']);
  });

  it('derives names of at most 63 characters that never end in a hyphen', () => {
    expect(derivedIssuerName(`https://idp.example/${'a'.repeat(50)}/b`)).toBe(`idp-example-${'a'.repeat(50)}`);
    expect(derivedIssuerName('HTTPS://IdP.Example:8443/realms/x/')).toBe('idp-example-8443-realms-x');
    expect(derivedIssuerName('--')).toBeUndefined();
  });

  it('reports an unreadable or unparsable file', () => {
    const dir = makeTempDir('cfg');
    writeFileSync(join(dir, 'bad.yaml'), 'listen: [unclosed');
    expect(() => loadConfig(join(dir, 'bad.yaml'), {})).toThrowError(/not valid YAML or JSON/);
    expect(() => loadConfig(join(dir, 'missing.yaml'), {})).toThrowError(/cannot read/);
  });
});
