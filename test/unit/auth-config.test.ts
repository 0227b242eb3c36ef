import { beforeAll, describe, expect, it } from 'vitest';
import { exportJWK } from 'jose';
import { MimtrustError } from '../../src/errors/index.js';
import { createTokenVerifier, DEFAULT_ALGORITHMS, type IssuerConfig } from '../../src/auth/index.js';
import { makeKey, type TestKey } from './auth-fixtures.js';

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('ES256', 'k');
});

const local = (extra: Partial<IssuerConfig> = {}): IssuerConfig => ({
  issuer: 'https://idp.example.org', jwks: { keys: [key.publicJwk] }, audience: 'gw', rolesClaim: 'roles', ...extra,
});

function configError(issuers: IssuerConfig[]): MimtrustError {
  try {
    createTokenVerifier(issuers);
  } catch (err) {
    expect(err).toBeInstanceOf(MimtrustError);
    expect((err as MimtrustError).reason).toBe('issuer_config_invalid');
    return err as MimtrustError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('issuer configuration', () => {
  it('accepts a sound configuration and defaults to public-key algorithms only', () => {
    expect(() => createTokenVerifier([local(), local({ issuer: 'https://other', jwks: undefined, jwksUri: 'https://other/jwks' })])).not.toThrow();
    expect(DEFAULT_ALGORITHMS).toEqual(['RS256', 'PS256', 'ES256', 'EdDSA']);
  });

  it.each([['none'], ['HS256'], ['hs512'], ['RS256', 'HS384'], ['XYZ'], []])('refuses algorithms %j', (...algs) => {
    configError([local({ algorithms: algs })]);
  });

  it('refuses a missing, doubled or weak key source', async () => {
    configError([local({ jwks: undefined })]);
    configError([local({ jwksUri: 'https://idp.example.org/jwks' })]);
    configError([local({ jwks: undefined, jwksUri: 'http://idp.example.org/jwks' })]);
    configError([local({ jwks: undefined, jwksUri: 'not a url' })]);
    configError([local({ jwks: { keys: [] } })]);
    configError([local({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } })]);
    configError([local({ jwks: { keys: [{ ...(await exportJWK(key.privateKey)), kid: 'k' }] } })]);
    for (const host of ['127.0.0.1:8080', 'localhost', '[::1]:9000']) {
      expect(() => createTokenVerifier([local({ jwks: undefined, jwksUri: `http://${host}/jwks` })])).not.toThrow();
    }
  });

  it('refuses a duplicate issuer, an empty audience, a bad tolerance or claim path', () => {
    configError([local(), local()]);
    configError([local({ audience: '' })]);
    configError([local({ audience: [] })]);
    configError([local({ clockToleranceSec: -1 })]);
    configError([local({ clockToleranceSec: Number.NaN })]);
    configError([local({ rolesClaim: 'realm_access..roles' })]);
    configError([local({ tenantsClaim: '' })]);
    configError([local({ organisationClaim: 'org.' })]);
    configError([local({ recipientClaim: '' })]);
    configError([local({ issuer: '' })]);
  });

  it('names the issuer but nothing secret in the message', () => {
    const e = configError([local({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } })]);
    expect(e.message).toContain('https://idp.example.org');
    expect(e.message).not.toContain('c2VjcmV0');
  });
});
