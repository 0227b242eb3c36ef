/**
 * A subscriber's own notification endpoint: a plain HTTP server on loopback that keeps
 * every notification it receives, with its path and headers, and answers 204.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface ReceivedNotification { path: string; headers: IncomingHttpHeaders; body: any }

export interface Subscriber {
  url: string;
  received: ReceivedNotification[];
  at(path: string): ReceivedNotification[];
  close(): Promise<void>;
}

export async function startSubscriber(): Promise<Subscriber> {
  const received: ReceivedNotification[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    received,
    at: (path) => received.filter((r) => r.path === path),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
