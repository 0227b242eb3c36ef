/**
 * The ceiling: a reverse proxy that checks nothing. node:https in front, an undici Pool
 * behind, the response streamed back. Same TLS certificate and the same upstream pool
 * size as the gateway, so the only difference the benchmark sees is the gateway's work.
 */
import { createServer } from 'node:https';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function endToEnd(headers) {
  const out = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name)) out[name] = headers[name];
  return out;
}

/**
 * @param {{ upstream: string, cert: string, key: string, connections?: number }} options
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startBareProxy({ upstream, cert, key, connections = 128 }) {
  const pool = new Pool(upstream, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const server = createServer({ cert, key }, (req, res) => {
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool.request({ method: req.method, path: req.url, headers: endToEnd(req.headers), body: hasBody ? req : undefined }).then(
      (up) => {
        res.writeHead(up.statusCode, endToEnd(up.headers));
        pipeline(up.body, res, () => undefined);
      },
      () => {
        if (!res.headersSent) res.writeHead(502, { 'content-length': '0' });
        res.end();
      },
    );
  });
  server.keepAliveTimeout = 72_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${server.address().port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}
