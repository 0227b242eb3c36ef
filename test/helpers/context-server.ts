/**
 * A host of JSON-LD @context documents for tests: serves the documents it is given by
 * path, 404 for anything else. Its base URL goes into `contexts.allowList`.
 */
import { createServer } from 'node:http';

export interface ContextServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  base: string;
  close(): Promise<void>;
}

export async function startContextServer(docs: Readonly<Record<string, unknown>>): Promise<ContextServer> {
  const server = createServer((req, res) => {
    const doc = docs[req.url ?? ''];
    if (doc === undefined) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/ld+json' }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
