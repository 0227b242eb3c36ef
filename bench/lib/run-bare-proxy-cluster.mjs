// Benchmark child: the bare reverse proxy in `processes` worker processes on one port
// (node:cluster, as `mimtrust start --workers` runs), with the gateway's TLS certificate.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { startBareProxy } from './bare-proxy.mjs';
import { runAsChild } from './child-runtime.mjs';

if (cluster.isPrimary) {
  runAsChild(async ({ upstream, certFile, keyFile, connections, processes }) => {
    const workers = Array.from({ length: processes }, () => cluster.fork({ BARE_PROXY: JSON.stringify({ upstream, certFile, keyFile, connections }) }));
    const urls = await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
      w.once('message', (m) => resolve(m.url));
      w.once('exit', (code) => reject(new Error(`a bare proxy worker exited with ${code}`)));
    })));
    return {
      info: { url: urls[0], pids: workers.map((w) => w.process.pid) },
      close: async () => {
        await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('exit', resolve); w.process.kill('SIGTERM'); })));
      },
    };
  });
} else {
  const { upstream, certFile, keyFile, connections } = JSON.parse(process.env.BARE_PROXY);
  const proxy = await startBareProxy({ upstream, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), connections });
  process.send({ url: proxy.url });
  process.once('SIGTERM', () => { void proxy.close().then(() => process.exit(0)); });
}
