import type { Server, Socket } from 'node:net';
import { addressKey } from '../lib/index.js';

export interface ConnectionLimits {
  /** Connections open at once, all addresses together. */
  maxConnections: number;
  /** Connections of one address (an IPv6 client's /64) that have not yet sent a complete request header. */
  maxPendingPerAddress: number;
}

/**
 * Connections that never get to a request (no TLS handshake, a trickle of header bytes)
 * must not crowd out those that do. Each address may hold only so many connections that
 * have not yet delivered a request; once one does, it no longer counts against its
 * address. Handshakes and header reads are bounded in time by the server's own options.
 */
export function guardConnections(server: Server, limits: ConnectionLimits): { pending: () => number } {
  server.maxConnections = limits.maxConnections;
  const pending = new Map<string, number>();
  let total = 0;
  const release = (socket: Socket & { [PENDING]?: string }) => {
    const addr = socket[PENDING];
    if (addr === undefined) return;
    socket[PENDING] = undefined;
    total--;
    const n = (pending.get(addr) ?? 1) - 1;
    if (n <= 0) pending.delete(addr);
    else pending.set(addr, n);
  };
  server.on('connection', (socket: Socket & { [PENDING]?: string }) => {
    const addr = addressKey(socket.remoteAddress ?? '');
    const n = pending.get(addr) ?? 0;
    if (n >= limits.maxPendingPerAddress) {
      socket.destroy();
      return;
    }
    pending.set(addr, n + 1);
    total++;
    socket[PENDING] = addr;
    socket.once('close', () => release(socket));
  });
  // The first request on a connection shows it is in use. Over TLS the request's socket
  // wraps the TCP socket counted above (Node keeps it as `_parent`); should that ever be
  // missing, connections simply count until they close.
  server.on('request', (req: { socket: Socket & { _parent?: Socket } }) => release(req.socket._parent ?? req.socket));
  return { pending: () => total };
}

const PENDING = Symbol('pendingAddress');
