/**
 * The configuration of a benchmark gateway, shared by the parent (which prepares the key
 * material and mints the token before any gateway starts) and each gateway child. All
 * gateways share one keys folder, so one TLS certificate and one access token serve every
 * mode; each has its own SQLite store, so each audit log can be counted on its own.
 */
import { isAbsolute, join } from 'node:path';
import { buildConfig } from '../../dist/config/index.js';

/**
 * @param {{ dir: string, repo: string, upstream: string, connections: number, name?: string, enforceContracts?: boolean, contractsDir?: string, audit?: { fsync?: boolean }, storePath?: string, keysDir?: string }} o
 *   name: the mode, which names the store file; contractsDir relative to the repository, or absolute (a generated set).
 */
export function gatewayConfig({ dir, repo, upstream, connections, name = 'gateway', enforceContracts = false, contractsDir, audit, storePath, keysDir }) {
  const input = {
    listen: { host: '127.0.0.1', port: 0 },
    // A store made before the run (a big audit log) comes with its own keys folder.
    keysDir: keysDir ?? join(dir, 'keys'),
    store: { path: storePath ?? join(dir, `${name}.db`) },
    policiesDir: join(repo, 'policies'),
    enforceContracts,
    // The fixtures do not change during a run.
    watchContracts: false,
    logLevel: 'silent',
    upstream: { url: upstream, connections },
    ...(audit ? { audit } : {}),
  };
  // Without contracts the folder is never read; an empty one makes that plain.
  input.contractsDir = contractsDir ? (isAbsolute(contractsDir) ? contractsDir : join(repo, contractsDir)) : join(dir, 'no-contracts');
  return buildConfig(input, { baseDir: dir });
}
