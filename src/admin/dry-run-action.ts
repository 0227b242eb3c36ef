/**
 * Would this request be permitted, and why? The described request goes through the same
 * classification, name expansion and decision as a real one, without being forwarded and
 * without counting against any count constraint.
 */
import { MimtrustError } from '../errors/index.js';
import type { VerifiedToken } from '../auth/index.js';
import {
  answer, checkEnforceable, classifyRequest, expandNames, extend, pipeline, readJsonBody,
  type Authenticated, type Trail,
} from '../gateway/index.js';
import { decide, decisionJson, type Considered } from '../policy/index.js';
import { readDryRun } from './dry-run.js';
import { callerIssuer } from './caller-issuer.js';
import { auditAs, requireOperator, type Admin, type AdminDeps, type Handler } from './admin-request.js';

/** The dry run as a function of the authorised caller and the body (the route's, or the console's form). */
export function dryRunAction(deps: AdminDeps): (r: Admin, body: unknown) => Promise<Record<string, unknown>> {
  const simulate = pipeline<Authenticated>()
    .then('classify', classifyRequest(deps))
    .then('expand', expandNames(deps))
    // Decided as the gateway decides, with the trace of every rule looked at.
    .then('decide', (r) => {
      const considered: Considered[] = [];
      return extend(r, { decision: decide({ request: r.policy, decisionId: r.decisionId, considered }, deps.snapshot()), considered });
    })
    .then('enforceable', (d) => { checkEnforceable(d); return d; });
  return async (r, body) => {
    auditAs(r, 'admin.decisions.dryRun');
    // A dry run shows what every contract grants to anyone: the operator's view.
    requireOperator(r);
    const input = readDryRun(body);
    const { issuer, ...fields } = input.caller;
    const token: VerifiedToken = {
      ...fields,
      issuer: callerIssuer(deps.parties, issuer),
      exp: Math.floor(r.startedAt / 1000) + 60,
      claims: {},
    };
    const sim: Trail & Authenticated & { considered?: Considered[] } = {
      ...r,
      // The decision's clock: the request's own time unless the dry run names one.
      startedAt: input.now ?? r.startedAt,
      raw: { method: input.request.method, url: input.request.url, headers: input.request.headers },
      rawBody: input.request.body === undefined ? undefined : Buffer.from(JSON.stringify(input.request.body)),
      token,
    };
    delete sim.auditAs;
    let result: Record<string, unknown>;
    try {
      const decided = await simulate.run(sim);
      result = decisionJson(decided.decision, decided.considered);
    } catch (err) {
      if (!(err instanceof MimtrustError)) throw err;
      result = sim.decision && sim.decision.effect === 'deny'
        ? decisionJson(sim.decision, sim.considered)
        : { effect: 'deny', reason: err.reason, detail: err.message, status: err.status, rules: (sim.decision?.rules ?? []) };
    }
    const ngsi = sim.ngsi;
    return {
      ...result,
      ...(ngsi ? { operation: ngsi.operation, action: ngsi.action, tenant: ngsi.tenant ?? null } : {}),
      now: new Date(sim.startedAt).toISOString(),
    };
  };
}

/** `POST /admin/decisions`. */
export function dryRunHandler(deps: AdminDeps): Handler {
  const act = dryRunAction(deps);
  return async (r) => answer(r, 200, await act(r, readJsonBody(r)));
}
