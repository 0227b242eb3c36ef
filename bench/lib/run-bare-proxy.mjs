// Benchmark child: the bare reverse proxy, with the gateway's TLS certificate.
import { readFileSync } from 'node:fs';
import { startBareProxy } from './bare-proxy.mjs';
import { runAsChild } from './child-runtime.mjs';

runAsChild(async ({ upstream, certFile, keyFile, connections }) => {
  const proxy = await startBareProxy({ upstream, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), connections });
  return { info: { url: proxy.url }, close: () => proxy.close() };
});
