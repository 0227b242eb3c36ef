import type { FastifyReply, FastifyRequest } from 'fastify';
import { asMimtrustError, toProblem, type MimtrustError } from '../errors/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Answered, Received, Trail } from './exchange.js';
import type { Pipeline } from './pipeline.js';
import { auditEventOf } from './stages/audit.js';
import type { OpenExchanges } from './open-exchanges.js';

export interface ExchangeDeps {
  audit: AuditLog;
  receive: (req: FastifyRequest) => Received;
  /** Headers on every response (security headers, computed once). */
  headers: Record<string, string>;
  log: { error(obj: unknown, msg: string): void };
  /** Counts the exchanges under way, for a gateway that closes to let them finish. */
  open?: OpenExchanges;
}

const PROBLEM_JSON = 'application/json';

/**
 * Answers with a ProblemDetails document after recording the refusal. The refusal is
 * recorded even if the audit log fails, which is logged: a refusal releases no data.
 */
export async function sendProblem(deps: ExchangeDeps, reply: FastifyReply, trail: Trail, err: MimtrustError): Promise<void> {
  trail.verdict = { effect: 'deny', reason: err.reason };
  try {
    await deps.audit.append(auditEventOf(trail, 'deny', err.reason));
  } catch (auditErr) {
    deps.log.error(auditErr, 'audit write failed for a denied request');
  }
  void reply
    .code(err.status)
    .headers(deps.headers)
    .headers(err.headers)
    .header('content-type', PROBLEM_JSON)
    .send(JSON.stringify(toProblem(err, { requestId: trail.requestId, decisionId: trail.decisionId })));
}

/** A fastify handler that runs one exchange through a pipeline; whatever fails is refused and audited. */
export function exchange(p: Pipeline<Received, Answered>, deps: ExchangeDeps) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    // Stages extend this same object, so after a failure it holds everything known by then.
    const trail: Trail = deps.receive(req);
    deps.open?.enter();
    try {
      const done = await p.run(trail);
      void reply.code(done.reply.status).headers(deps.headers).headers(done.reply.headers).send(done.reply.body);
    } catch (err) {
      const e = asMimtrustError(err);
      if (e.code === 'INTERNAL' || e.reason === 'audit_unavailable') deps.log.error(err, 'request failed');
      await sendProblem(deps, reply, trail, e);
    } finally {
      deps.open?.leave();
    }
    return reply;
  };
}

/** Ends an exchange with the gateway's own answer (admin and decision APIs). */
export function answer<T extends Received>(r: T, status: number, body: unknown, headers: Record<string, string> = {}): T & Answered {
  const reply = {
    status,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
  };
  return Object.assign(r, { reply, outcome: 'permitted' });
}
