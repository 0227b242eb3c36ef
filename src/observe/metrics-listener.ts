/**
 * The Prometheus listener: a separate plain HTTP port (as Kong's status listener and
 * Envoy's admin port are), bound to the loopback interface by default, so metrics are
 * never reachable through the gateway's public listener and need no token there.
 */
import { createServer, type Server } from 'node:http';

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/** A registry, or the primary's view of all workers' registries. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export async function listenMetrics(registry: MetricsSource, host: string, port: number): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as { port: number };
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
