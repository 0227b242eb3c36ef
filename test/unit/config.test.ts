import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConfig, loadConfig, ConfigError } from '../../src/config/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const REPO = new URL('../..', import.meta.url).pathname;

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
  });

  const wrong: Array<[string, unknown, RegExp]> = [
    ['unknown key', { upstream: { urll: 'http://x' } }, /"upstream\.urll": is not a known key/],
    ['wrong type', { listen: { port: 'x' } }, /"listen\.port"/],
    ['port out of range', { listen: { port: 70000 } }, /"listen\.port"/],
    ['bad enum', { tls: { minVersion: 'TLSv1' } }, /"tls\.minVersion": must be one of/],
    ['upstream not http', { upstream: { url: 'ftp://x' } }, /"upstream\.url"/],
    ['cert without key', { tls: { cert: 'a.pem' } }, /"tls\.key"/],
    ['mTLS required without CA', { tls: { requireClientCert: true } }, /"tls\.clientCa"/],
    ['issuer without keys', { issuers: [{ issuer: 'https://i', audience: 'a' }] }, /"issuers\.0": must set exactly one of jwksUri or jwksFile/],
    ['issuer without audience', { issuers: [{ issuer: 'https://i', jwksUri: 'https://i/jwks' }] }, /"issuers\.0\.audience": is required/],
    ['HMAC algorithm', { issuers: [{ issuer: 'https://i', jwksUri: 'https://i/j', audience: 'a', algorithms: ['HS256'] }] }, /"issuers\.0\.algorithms\.0"/],
  ];
  for (const [name, input, message] of wrong) {
    it(`stops on a wrong config (${name}) with a message naming the key`, () => {
      expect(() => buildConfig(input, { baseDir: '/x' })).toThrowError(ConfigError);
      expect(() => buildConfig(input, { baseDir: '/x' })).toThrowError(message);
    });
  }

  it('reports an unreadable or unparsable file', () => {
    const dir = makeTempDir('cfg');
    writeFileSync(join(dir, 'bad.yaml'), 'listen: [unclosed');
    expect(() => loadConfig(join(dir, 'bad.yaml'), {})).toThrowError(/not valid YAML or JSON/);
    expect(() => loadConfig(join(dir, 'missing.yaml'), {})).toThrowError(/cannot read/);
  });
});
