/**
 * A host of JSON-LD @context documents for tests: serves the documents it is given by
 * path, 404 for anything else. Its base URL goes into `contexts.allowList`. Given the
 * port of one that was closed, it comes back at the same base URL (a host that was down).
 */
import { createServer } from 'node:http';

export interface ContextServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  base: string;
  port: number;
  close(): Promise<void>;
}

export async function startContextServer(docs: Readonly<Record<string, unknown>>, port = 0): Promise<ContextServer> {
  const server = createServer((req, res) => {
    const doc = docs[req.url ?? ''];
    if (doc === undefined) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/ld+json' }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as { port: number }).port;
  return {
    base: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
