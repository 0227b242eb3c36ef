import { MimtrustError } from '../../errors/index.js';
import type { AuditEvent, AuditLog } from '../../audit/index.js';
import { changesState } from '../../ngsi/index.js';
import type { RuleRef } from '../../policy/index.js';
import type { Answered, Planned, Trail } from '../exchange.js';

export interface AuditDeps {
  audit: AuditLog;
  log: { error(obj: unknown, msg: string): void };
}

function unavailable(cause: unknown): MimtrustError {
  return new MimtrustError('SERVICE_UNAVAILABLE', 'The audit log is unavailable; the request was not completed.', { reason: 'audit_unavailable', cause });
}

/**
 * No effect without a record. A request that changes state at the broker is forwarded
 * only once the record of its decision is durable; if it cannot be written, nothing is
 * forwarded (503). A read's decision record goes to the disk while the broker answers, so
 * the two waits overlap; the answer leaves only once it is durable (`auditOutcome`).
 */
export function recordBeforeEffect(deps: AuditDeps): (r: Planned) => Planned | Promise<Planned> {
  return (r) => {
    if (changesState(r.ngsi.operation)) return recordDecision(deps, r).then(() => r);
    const durable = appendDecision(deps, r);
    // Awaited by the audit stage; a request refused before then is recorded as refused.
    durable.catch(() => undefined);
    r.decisionRecord = durable;
    return r;
  };
}

/** The permit of an exchange about to take effect, as its record (reason `before_effect`). */
function appendDecision(deps: AuditDeps, t: Trail): Promise<void> {
  return deps.audit.append(auditEventOf(t, 'permit', 'before_effect'));
}

/** Appends the permit of an exchange about to take effect and waits for it; 503 if it cannot. */
export async function recordDecision(deps: AuditDeps, t: Trail): Promise<void> {
  try {
    await appendDecision(deps, t);
  } catch (err) {
    throw unavailable(err);
  }
  t.recordedBeforeEffect = true;
}

const NO_TARGETS = { entityIds: [], types: [], attrs: [] } as const;

/**
 * Audit, the last stage of the gateway's own exchanges: the response leaves only once its
 * record is durable (nothing lost). If the record cannot be written, the caller is told
 * the request failed, unless the request already took effect with its decision on
 * record: then the broker's answer is the truth, and withholding it would mislead the caller.
 */
export function auditPermitted(deps: AuditDeps): (r: Answered) => Promise<Answered> {
  return async (r) => {
    await appendOutcome(deps, r as Trail, outcomeEvent(r));
    return r;
  };
}

/**
 * Audit, the last stage of the NGSI-LD path: the answer leaves once its decision is
 * durable. The outcome (the broker's status, latency, what was released) follows as a
 * record with the same decision id, without holding the answer, unless it names whose
 * personal data the answer releases: people find the reads of their data by it, so such
 * an answer leaves only once that record is durable, and is withheld (503) if it cannot be.
 */
export function auditOutcome(deps: AuditDeps): (r: Answered) => Answered | Promise<Answered> {
  return (r) => {
    const t = r as Trail;
    const event = outcomeEvent(r);
    const decision = t.decisionRecord;
    if (decision !== undefined) {
      return decision.then(
        () => {
          t.recordedBeforeEffect = true;
          return afterDecision(deps, t, event).then(() => r);
        },
        (err: unknown) => { throw unavailable(err); },
      );
    }
    return afterDecision(deps, t, event).then(() => r);
  };
}

function afterDecision(deps: AuditDeps, t: Trail, event: AuditEvent): Promise<void> {
  if (t.recordedBeforeEffect && event.released === undefined) {
    // Nobody waits for it: it joins the next batch (a decision's) instead of starting one.
    deps.audit.append(event, { withNext: true }).catch((err: unknown) => deps.log.error(err, 'audit write failed for the outcome of a request whose decision is on record'));
    return Promise.resolve();
  }
  return appendOutcome(deps, t, event);
}

function outcomeEvent(r: Answered): AuditEvent {
  const t = r as Trail;
  // A decision answered as data (the decision API) is recorded with its own effect.
  t.verdict = { effect: r.effect ?? t.decision?.effect ?? 'permit', reason: r.outcome };
  return auditEventOf(r, t.verdict.effect, r.outcome);
}

/** Appends an outcome and waits for it; fails the exchange if it cannot, unless a change took effect with its decision on record. */
async function appendOutcome(deps: AuditDeps, t: Trail, event: AuditEvent): Promise<void> {
  try {
    await deps.audit.append(event);
  } catch (err) {
    const tookEffect = t.recordedBeforeEffect === true && (t.ngsi === undefined || changesState(t.ngsi.operation));
    if (!tookEffect) throw unavailable(err);
    deps.log.error(err, 'audit write failed after a recorded request took effect; its outcome is not on record');
  }
}

/** The audit record of one exchange, whatever point it reached. */
export function auditEventOf(t: Trail, effect: 'permit' | 'deny', reason: string): AuditEvent {
  const ngsi = t.ngsi;
  const event: AuditEvent = {
    time: isoTime(t.startedAt),
    decisionId: t.decisionId,
    requestId: t.requestId,
    operation: ngsi?.operation ?? t.auditAs?.operation ?? 'unclassified',
    action: ngsi?.action ?? t.auditAs?.action ?? 'unknown',
    targets: ngsi ? { entityIds: ngsi.entityIds, types: ngsi.types, attrs: ngsi.attrs } : (t.auditAs?.targets ?? NO_TARGETS),
    effect,
    reason,
    latencyMs: Math.round((performance.now() - t.t0) * 1000) / 1000,
    method: t.raw.method,
    path: ngsi ? ngsi.path : pathOnly(t.raw.url),
  };
  if (t.token !== undefined) event.issuer = t.token.issuer;
  if (t.token?.sub !== undefined) event.sub = t.token.sub;
  if (t.token?.clientId !== undefined) event.clientId = t.token.clientId;
  if (t.binding !== undefined) event.binding = t.binding;
  if (ngsi?.tenant !== undefined) event.tenant = ngsi.tenant;
  const rules = t.decision?.rules;
  if (rules?.length) event.rules = rules.map((x) => `${x.contract}#${x.rule}`);
  const providers = rules?.length ? providersOf(rules) : t.auditAs?.providers;
  if (providers?.length) event.providers = providers;
  // Only what the broker answered; the gateway's own answers (admin API, errors) have none.
  if (t.upstream) event.upstreamStatus = t.upstream.status;
  // Names as decided on: IRIs under the caller's @context, where contracts compared them.
  if (t.context && t.policy) event.decided = { types: t.policy.types, attrs: t.policy.attrs };
  // Whose data went out under consent: what lets a person find the reads of their data.
  if (effect === 'permit' && t.released !== undefined && t.released.size > 0) {
    event.released = {
      ...(t.token?.purpose !== undefined ? { purpose: t.token.purpose } : {}),
      consents: [...(t.decision?.obligations.consent?.consents ?? [])],
      subjects: [...t.released].map(([id, d]) => ({ id, types: [...d.types].sort(), attrs: [...d.attrs].sort() })),
    };
  }
  if (t.decision?.contractRevision !== undefined) {
    event.contractRevision = t.decision.contractRevision;
    event.auditLevel = t.decision.obligations.auditLevel;
  }
  return event;
}

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00.000Z: from there on, toISOString writes six-digit years. */
const YEAR_10000_MS = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let isoDay = -1;
let isoDayPrefix = '';

/**
 * `new Date(ms).toISOString()`, byte for byte (the time is hashed into the record): a
 * Date costed about 1 µs per record under load, most of it a local-time offset nobody
 * reads. The date part is taken from toISOString once per day; times outside 1970 to
 * 9999 and fractional ones are left to it.
 */
export function isoTime(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms >= YEAR_10000_MS) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    isoDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    isoDay = day;
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  return isoDayPrefix + (TWO_DIGITS[h] as string) + ':' + (TWO_DIGITS[m] as string) + ':' + (TWO_DIGITS[sec] as string) + '.' + (THREE_DIGITS[rest - sec * 1000] as string) + 'Z';
}

/** The providers of the contracts behind a decision, each once. */
function providersOf(rules: readonly RuleRef[]): string[] {
  const out: string[] = [];
  for (const r of rules) if (r.provider !== undefined && !out.includes(r.provider)) out.push(r.provider);
  return out;
}

/** Unclassified paths are recorded without their query, which may carry anything. */
function pathOnly(url: string): string {
  const q = url.indexOf('?');
  const p = q === -1 ? url : url.slice(0, q);
  return p.length > 512 ? p.slice(0, 512) : p;
}
