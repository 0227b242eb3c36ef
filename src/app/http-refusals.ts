import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { MimtrustError, toProblem } from '../errors/index.js';
import { auditEventOf, type ExchangeDeps, type Received } from '../gateway/index.js';

/** What the HTTP parser refused, as the refusal the caller gets and the audit records. */
function refusalOf(err: Error & { code?: string }): MimtrustError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new MimtrustError('REQUEST_TIMEOUT', 'The request did not arrive in time.', { reason: 'request_timeout' });
  if (err.code === 'HPE_HEADER_OVERFLOW') return new MimtrustError('HEADERS_TOO_LARGE', 'The request headers are too large.', { reason: 'headers_too_large' });
  return new MimtrustError('BAD_REQUEST', 'The request is not valid HTTP.', { reason: 'malformed_framing' });
}

/**
 * Requests the HTTP layer refuses before any route runs (broken framing, oversized
 * headers, a request that never completes) get a ProblemDetails answer and an audit
 * record like every other refusal, so a probe that never reaches a route still leaves a trace.
 */
export function httpRefusals(exchange: () => ExchangeDeps, tls: boolean) {
  // A connection is refused once: bytes still arriving after the answer raise more errors.
  const refused = new WeakSet<Socket>();
  return (err: Error & { code?: string }, socket: Socket): void => {
    if (socket.destroyed || refused.has(socket)) return;
    // Only a request the HTTP parser saw gets an answer; anything below HTTP (a TLS
    // handshake that failed or never came, a reset) just ends the connection.
    if (!err.code?.startsWith('HPE_') && err.code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.destroy();
      return;
    }
    refused.add(socket);
    const e = refusalOf(err);
    const id = randomUUID();
    const trail: Received = {
      requestId: id,
      decisionId: id,
      startedAt: Date.now(),
      t0: performance.now(),
      raw: { method: 'UNKNOWN', url: '/', headers: {} },
      rawBody: undefined,
      params: {},
      clientIp: socket.remoteAddress ?? '',
      tls,
      certThumbprint: undefined,
      auditAs: { operation: 'http.refused', action: 'unknown', targets: { entityIds: [], types: [], attrs: [] } },
    };
    const x = exchange();
    x.audit.append(auditEventOf(trail, 'deny', e.reason)).catch((auditErr: unknown) => x.log.error(auditErr, 'audit write failed for a request refused by the HTTP layer'));
    const body = JSON.stringify(toProblem(e, { requestId: id, decisionId: id }));
    if (socket.writable) {
      socket.end(`HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    } else {
      socket.destroy();
    }
  };
}
