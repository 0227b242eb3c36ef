/**
 * The DPoP example of docs/issuer.md, run as written (only the gateway's address and the
 * issuer identifier are the test gateway's) in a Node.js process of its own, against the
 * real gateway and issuer: it gets a DPoP-bound token and reads with it.
 */
import { it, expect } from 'vitest';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair } from 'jose';
import { startHarness, REPO } from '../helpers/harness.js';
import { OIDC_ISSUER } from '../helpers/oidc.js';
import { makeTempDir } from '../helpers/temp-dir.js';

it('the DPoP example of docs/issuer.md gets a token and reads with it', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const h = await startHarness({
    contractsDir: join(REPO, 'test', 'fixtures', 'contracts-issuer'),
    oidc: {
      enabled: true, issuer: OIDC_ISSUER,
      clients: [{
        clientId: 'fleet-co', organisation: 'urn:org:lighting-co', grantTypes: ['client_credentials'], dpopBound: true,
        purposes: ['dpv:ServiceProvision'], roles: ['viewer'], jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'fleet-1', alg: 'ES256', use: 'sig' }] },
      }],
    },
  });
  h.broker.seed({ id: 'urn:ngsi-ld:Streetlight:1', type: 'Streetlight' });
  try {
    const dir = makeTempDir('dpop-example');
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'fleet-co.private.jwk.json'), JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'fleet-1' }));
    writeFileSync(join(dir, 'tls-cert.pem'), h.ca);
    const doc = readFileSync(join(REPO, 'docs', 'issuer.md'), 'utf8');
    const example = doc.split('### A DPoP-bound token with jose')[1]!.split('```js\n')[1]!.split('```')[0]!;
    const gateway = h.gateway.url.replace('127.0.0.1', 'localhost');
    const script = example.replace("'https://localhost:8443'", `'${gateway}'`).replace('`${gateway}/oidc`', `'${OIDC_ISSUER}'`);
    expect(script).not.toBe(example);
    writeFileSync(join(dir, 'example.mjs'), script);
    // Asynchronously: the gateway answering it runs in this process.
    const run = await promisify(execFile)(process.execPath, ['example.mjs'], {
      cwd: dir, env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'tls-cert.pem') }, encoding: 'utf8',
    });
    expect(run.stdout).toMatch(/^DPoP 200 \[ \{ id: 'urn:ngsi-ld:Streetlight:1', type: 'Streetlight' \} \]/);
  } finally {
    await h.close();
  }
});
