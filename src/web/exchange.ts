/**
 * One exchange of a server-rendered page, run like any other exchange of the gateway: a
 * pipeline of named stages, every outcome audited, a refusal too. A refusal is shown as a
 * page; one that needs a session sends the browser to sign in instead.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asMimtrustError, type MimtrustError } from '../errors/index.js';
import { auditEventOf, type Answered, type ExchangeDeps, type Pipeline, type Received, type Trail } from '../gateway/index.js';
import { PAGE_HEADERS } from './html.js';

export interface PageExchangeOptions<T extends Trail> {
  /** The refusal reason that means "no session": answered with a redirect to `signInPath`. */
  signInReason: string;
  signInPath: string;
  /** The page showing a refusal, from what the exchange knew when it was refused. */
  errorPage: (e: MimtrustError, trail: T) => string;
}

export function pageExchange<T extends Trail>(p: Pipeline<Received, Answered>, deps: ExchangeDeps, o: PageExchangeOptions<T>) {
  return async (req: FastifyRequest, res: FastifyReply): Promise<FastifyReply> => {
    const trail = deps.receive(req) as T;
    try {
      const done = await p.run(trail);
      void res.code(done.reply.status).headers(deps.headers).headers(done.reply.headers).send(done.reply.body);
    } catch (err) {
      const e = asMimtrustError(err);
      if (e.code === 'INTERNAL' || e.reason === 'audit_unavailable') deps.log.error(err, 'page request failed');
      try {
        await deps.audit.append(auditEventOf(trail, 'deny', e.reason));
      } catch (auditErr) {
        deps.log.error(auditErr, 'audit write failed for a denied request');
      }
      if (e.reason === o.signInReason) {
        void res.code(303).headers(deps.headers).header('location', o.signInPath).header('cache-control', 'no-store').send();
      } else {
        void res.code(e.status).headers(deps.headers).headers(PAGE_HEADERS).headers(e.headers).send(o.errorPage(e, trail));
      }
    }
    return res;
  };
}

/** Answers the exchange with a page. */
export function pageReply<T extends Received>(r: T, status: number, body: string, headers: Record<string, string | string[]> = {}): T & Answered {
  return Object.assign(r, { reply: { status, headers: { ...PAGE_HEADERS, ...headers }, body: Buffer.from(body) }, outcome: 'permitted' as const });
}

/** Answers the exchange by sending the browser on (303: the next request is a GET). */
export function redirectReply<T extends Received>(r: T, to: string, headers: Record<string, string | string[]> = {}): T & Answered {
  return Object.assign(r, { reply: { status: 303, headers: { location: to, 'cache-control': 'no-store', ...headers }, body: undefined }, outcome: 'permitted' as const });
}
