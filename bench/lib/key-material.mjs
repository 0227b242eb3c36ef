/**
 * Key material for the whole run, made in the parent before any process under test
 * starts: the gateways' self-signed TLS certificate (the bare proxy serves the same one,
 * so TLS costs the same in both) and one access token from the local issuer, which every
 * gateway trusts because they all read the same keys folder; and for the DPoP mode, a DPoP
 * key with a token bound to it.
 */
import { loadOrCreateSelfSignedCertificate, loadOrCreateSigningKey } from '../../dist/keys/index.js';
import { issueLocalToken, LOCAL_ISSUER_KEY_NAME } from '../../dist/issuer/index.js';
import { dpopKey } from './dpop-proofs.mjs';

/** The caller the benchmark plays: role `viewer` may read (policies/), and the contract fixtures grant to that role. */
export const BENCH_CALLER = Object.freeze({ sub: 'bench-viewer', roles: ['viewer'] });

/**
 * @param {import('../../dist/config/index.js').Config} config a benchmark gateway's configuration
 * @param {number} ttlSec token lifetime, longer than the run
 * @returns {Promise<{ certFile: string, keyFile: string, cert: string, token: string, dpop: { key: object, token: string } }>}
 */
export async function prepareKeyMaterial(config, ttlSec) {
  const tls = await loadOrCreateSelfSignedCertificate(config.keysDir, config.tls.hostnames);
  const key = await loadOrCreateSigningKey(config.keysDir, LOCAL_ISSUER_KEY_NAME);
  const token = await issueLocalToken(
    key,
    { issuer: config.localIssuer.issuer, audience: config.localIssuer.audience },
    { sub: BENCH_CALLER.sub, roles: [...BENCH_CALLER.roles], ttlSec },
  );
  const holder = await dpopKey();
  const dpopToken = await issueLocalToken(
    key,
    { issuer: config.localIssuer.issuer, audience: config.localIssuer.audience },
    { sub: BENCH_CALLER.sub, roles: [...BENCH_CALLER.roles], ttlSec, dpopJkt: holder.jkt },
  );
  return { certFile: tls.certPath, keyFile: tls.keyPath, cert: tls.cert, token, dpop: { key: holder, token: dpopToken } };
}
