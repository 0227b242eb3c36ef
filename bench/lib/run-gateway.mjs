// Benchmark child: the real gateway from dist/ (token check, roles, audit), over HTTPS,
// with its own keys and SQLite store in the benchmark's temporary directory.
import { join } from 'node:path';
import { buildConfig } from '../../dist/config/index.js';
import { startGateway } from '../../dist/gateway/index.js';
import { runAsChild } from './child-runtime.mjs';

runAsChild(async ({ dir, repo, upstream, connections }) => {
  const input = {
    listen: { host: '127.0.0.1', port: 0 },
    keysDir: join(dir, 'keys'),
    store: { path: join(dir, 'mimtrust.db') },
    policiesDir: join(repo, 'policies'),
    contractsDir: join(repo, 'contracts'),
    logLevel: 'silent',
    upstream: { url: upstream, connections },
  };
  const config = buildConfig(input, { baseDir: dir });
  const log = { info: () => undefined, warn: () => undefined, error: (obj, msg) => console.error(`gateway: ${msg}`, obj) };
  const gateway = await startGateway(config, log);
  // Every request that reaches the server must end up as one audit record; counted here
  // so the parent can compare after the log has been flushed and closed.
  let received = 0;
  gateway.app.server.on('request', () => {
    received++;
  });
  return {
    info: {
      url: gateway.url,
      keysDir: config.keysDir,
      storePath: config.store.path,
      certFile: join(config.keysDir, 'tls-cert.pem'),
      keyFile: join(config.keysDir, 'tls-key.pem'),
      localIssuer: config.localIssuer,
    },
    async close() {
      await gateway.close();
      return { received };
    },
  };
});
