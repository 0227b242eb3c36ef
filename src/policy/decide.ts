/**
 * The contract layer of the decision: given a request (every name an expanded IRI), a contract snapshot
 * and the current counter values, permit or deny, and say what the response may show.
 * Pure: no I/O, no clock (the request carries `now`), no randomness. Deny by default; an
 * applicable prohibition wins; any internal failure denies.
 */
import type { Area, AssigneeBucket, PolicySnapshot, Rule, RuleIndex, TypeBucket } from '../contracts/model.js';
import { purposeAncestors } from '../contracts/purposes.js';
import { isContractAction, type ContractAction } from '../contracts/vocabulary.js';
import type { Action, Operation } from '../ngsi/types.js';
import { idsCovered, idsMayTouch, tenantMatches, unmetConstraint, type MatchInput } from './rule-match.js';
import { counterSubject } from './counter-key.js';
import { addScope, Grants, type Applied, type TypeGrant } from './grants.js';
import { isFullScope, scopePermits, unionScope, withoutScope } from './scope.js';
import { consentMayApply, consentObligation, coveringConsents, subjectAttribute } from './consent.js';
import type { AttributeScope, ConsentGrant, ConsentType, Considered, Culprit, Decision, Obligations, PolicyRequest, ShownObligations, RuleRef, Subject } from './types.js';

export interface DecideState {
  /** Current value of every counter key a count constraint may ask about. */
  counters: ReadonlyMap<string, number>;
  decisionId: string;
  /**
   * When given, every rule addressed to the caller that was looked at is added with what
   * became of it (the dry run's trace); left out on the request path, where it would cost.
   */
  considered?: Considered[];
  /**
   * The consents the caller's token rests on, looked up and not withdrawn: a permission
   * needing consent applies only as far as they cover (consent.ts).
   */
  consents?: readonly ConsentGrant[];
  /** Filled, as rules are matched, with the limit of each counter key (Obligations.limits). */
  limits?: Map<string, number>;
}

const READ_ACTIONS: ReadonlySet<Action> = new Set(['read', 'readTemporal', 'subscribe']);

/** Writes that can remove attributes the request does not name: they need every attribute. */
const WHOLE_ENTITY_OPERATIONS: ReadonlySet<Operation> = new Set([
  'entity.replace', 'entity.delete', 'batch.delete', 'batch.upsert', 'temporal.delete',
]);

/**
 * Filter reads that only shape the response; `attrs`/`pick` are checked through
 * `req.attrs`. A named `geometryProperty` is not among them: the broker would read that
 * attribute to build each geometry, so it must be readable for every type returned.
 */
const PROJECTIONS: ReadonlySet<string> = new Set(['attrs', 'pick', 'omit']);

/**
 * Operations on subscriptions that show no entity data, only the subscription (kept to the
 * caller's own by the gateway): a consent-bound permission covers them whatever the
 * caller's consents, so a subscriber whose consents are gone can still see and delete
 * what it made.
 */
const SUBSCRIPTION_MANAGEMENT: ReadonlySet<Operation> = new Set(['subscription.list', 'subscription.retrieve', 'subscription.delete']);

const PERMITTED = 'Permitted by contract.';

const DETAIL: Readonly<Record<string, string>> = {
  no_matching_permission: 'No contract permits this request.',
  constraint_not_satisfied: 'A contract covers this request, but its conditions are not met now.',
  consent_required: 'This data needs the consent of the person it is about.',
  consent_subject_ambiguous: 'The contracts name more than one attribute for the person an entity of this type is about.',
  prohibited: 'A contract prohibits this request.',
  type_not_permitted: 'The request names an entity type no contract permits to the caller.',
  attribute_not_permitted: 'The request names an attribute no contract permits to the caller.',
  filter_reads_forbidden_attribute: 'A filter of the request reads an attribute the caller may not read for every entity type it may return.',
  join_not_permitted: 'Joins are not permitted through the gateway.',
  type_required: 'This write must name the entity type, or be covered by a contract without a type restriction.',
  decision_error: 'The request could not be decided.',
};

function ref(r: Rule): RuleRef {
  return r.provider === null ? { contract: r.contract, rule: r.uid } : { contract: r.contract, rule: r.uid, provider: r.provider };
}

/**
 * Each rule named once: a provider's rule narrowed into parts (contracts/ownership.ts) may
 * apply more than once.
 */
function refsOf(rules: readonly Rule[]): RuleRef[] {
  if (rules.length < 2) return rules.map(ref);
  const out: RuleRef[] = [];
  const seen = new Set<string>();
  for (const r of rules) {
    const key = `${r.contract}\u0000${r.uid}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(ref(r));
  }
  return out;
}

function deny(id: string, reason: string, rules: readonly Rule[] = [], culprit?: Culprit): Decision {
  const d: Decision = {
    id, effect: 'deny', reason, detail: DETAIL[reason] ?? 'Denied.', rules: refsOf(rules),
    obligations: { counters: [], auditLevel: 'normal' },
  };
  if (culprit !== undefined) d.culprit = culprit;
  return d;
}

/**
 * Whether the rule applies (tenant, ids, constraints), and why not. Counter keys of an
 * applying rule are appended to `out`.
 */
function outcomeOf(r: Rule, req: PolicyRequest, input: MatchInput, out: string[], ids: (r: Rule, req: PolicyRequest) => boolean, consented?: (r: Rule) => boolean): string {
  if (!tenantMatches(r, req)) return 'tenant';
  if (!ids(r, req)) return 'entity_ids';
  if (r.consent && consented?.(r) !== true) return 'consent';
  const unmet = unmetConstraint(r, input, out);
  return unmet === undefined ? 'applied' : `constraint:${unmet}`;
}

function pushBucket(out: AssigneeBucket[], b: AssigneeBucket | undefined): void {
  if (b !== undefined && !out.includes(b)) out.push(b);
}

/** The index buckets the subject can reach: anybody's, its own ids' (at its issuer), its roles'. */
function callerBuckets(index: RuleIndex, action: ContractAction, s: Subject): AssigneeBucket[] {
  const out: AssigneeBucket[] = [];
  const byAssignee = index.get(action);
  if (!byAssignee) return out;
  pushBucket(out, byAssignee.anybody);
  // Only the parties of the caller's own issuer: the same name from another issuer is someone else.
  const parties = byAssignee.parties.get(s.issuer);
  if (parties !== undefined) {
    if (s.clientId !== undefined) pushBucket(out, parties.get(s.clientId));
    if (s.sub !== undefined) pushBucket(out, parties.get(s.sub));
    if (s.organisation !== undefined) pushBucket(out, parties.get(s.organisation));
  }
  if (byAssignee.roles.size > 0) for (const role of s.roles) pushBucket(out, byAssignee.roles.get(role));
  return out;
}

/** A bucket, or the parts of it a request can reach, with the order of its rules. */
interface Reach {
  parts: readonly TypeBucket[];
  rank: ReadonlyMap<Rule, number>;
}

/** The whole of each bucket: every rule addressed to the caller. */
const wholly = (buckets: readonly AssigneeBucket[]): Reach[] => buckets.map((b) => ({ parts: [b], rank: b.rank }));

/**
 * The parts of each bucket whose permissions the declared purpose can meet: those asking
 * for no purpose, and those filed under the purpose or a broader one. Without a purpose
 * (or with one outside the DPV table) only the first: no purpose constraint holds then.
 */
function reachable(buckets: readonly AssigneeBucket[], purpose: string | undefined): Reach[] {
  const ancestors = purpose === undefined ? undefined : purposeAncestors(purpose);
  return buckets.map((b) => {
    const parts: TypeBucket[] = [b.open];
    if (ancestors !== undefined && b.byPurpose.size > 0) {
      for (const p of ancestors) {
        const part = b.byPurpose.get(p);
        if (part !== undefined) parts.push(part);
      }
    }
    return { parts, rank: b.rank };
  });
}

/** The rules of several parts of one bucket, each once, in the bucket's order. */
function addInOrder(seen: Set<Rule>, lists: readonly (readonly Rule[])[], rank: ReadonlyMap<Rule, number>): void {
  if (lists.length === 1) {
    for (const r of lists[0] as readonly Rule[]) seen.add(r);
    return;
  }
  const merged = [...new Set(lists.flat())].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
  for (const r of merged) seen.add(r);
}

/** Rules of the buckets for these types (null: every rule), each once. */
function candidates(reach: readonly Reach[], types: readonly string[] | null, anyTypeOnly: boolean): Rule[] {
  const seen = new Set<Rule>();
  for (const { parts, rank } of reach) {
    if (anyTypeOnly) addInOrder(seen, parts.map((b) => b.anyType), rank);
    else if (types === null) addInOrder(seen, parts.map((b) => b.all), rank);
    else {
      addInOrder(seen, parts.map((b) => b.anyType), rank);
      for (const t of types) addInOrder(seen, parts.map((b) => b.byType.get(t) ?? []), rank);
    }
  }
  return [...seen];
}

/** What the applicable prohibitions take away. */
interface Forbidden {
  byType: Map<string, AttributeScope>;
  anyType: AttributeScope | undefined;
  /** Types prohibited as whole entities (only collected where the response can drop them). */
  excluded: Set<string>;
  rules: Rule[];
}

function forbiddenFor(f: Forbidden, type: string | null): AttributeScope | undefined {
  const typed = type === null ? undefined : f.byType.get(type);
  if (typed && f.anyType) return unionScope(typed, f.anyType);
  return typed ?? f.anyType;
}

function applyForbidden(scope: AttributeScope, f: Forbidden, type: string | null): AttributeScope {
  const forbidden = forbiddenFor(f, type);
  return forbidden ? withoutScope(scope, forbidden) : scope;
}

/**
 * The prohibitions that apply, and what they take away. `types` are the entity types the
 * request may touch (null: any type), so only prohibitions filed under those are read.
 */
function collectProhibitions(req: PolicyRequest, snap: PolicySnapshot, action: ContractAction, types: readonly string[] | null, isRead: boolean, unknownType: boolean, input: MatchInput, trace?: Considered[]): Forbidden | Decision {
  const f: Forbidden = { byType: new Map(), anyType: undefined, excluded: new Set(), rules: [] };
  const scratch: string[] = [];
  for (const p of candidates(wholly(callerBuckets(snap.prohibitions, action, req.subject)), types, false)) {
    const outcome = prohibitionOutcome(p, req, input, scratch);
    trace?.push({ rule: ref(p), kind: 'prohibition', outcome });
    if (outcome !== 'applied') continue;
    if (p.attrs === null) {
      const hit = unknownType || p.types === null ? undefined : req.types.find((t) => p.types?.has(t));
      const culprit = hit === undefined ? undefined : { type: hit };
      if (p.types === null || !isRead || hit !== undefined) return deny('', 'prohibited', [p], culprit);
      for (const t of p.types) f.excluded.add(t);
    } else {
      f.rules.push(p);
      if (p.types === null) f.anyType = f.anyType ? unionScope(f.anyType, p.attrs) : p.attrs;
      else for (const t of p.types) addScope(f.byType, t, p.attrs);
    }
  }
  return f;
}

/**
 * Prohibitions filed under types the request does not name: an entity returned for one
 * type may carry others, and what they prohibit (the whole entity, or some attributes)
 * wins over what its other types permit.
 */
function collectOtherTypeProhibitions(req: PolicyRequest, snap: PolicySnapshot, action: ContractAction, input: MatchInput, f: Forbidden, touched: readonly string[]): void {
  const scratch: string[] = [];
  for (const p of candidates(wholly(callerBuckets(snap.prohibitions, action, req.subject)), null, false)) {
    if (p.types === null) continue;
    if (prohibitionOutcome(p, req, input, scratch) !== 'applied') continue;
    if (p.attrs === null) {
      for (const t of p.types) f.excluded.add(t);
    } else {
      for (const t of p.types) if (!touched.includes(t)) addScope(f.byType, t, p.attrs);
    }
  }
}

/** True when a prohibition on some entity type forbids the attribute (see `forbidTypes`). */
function forbiddenOnSomeType(f: Forbidden, attr: string): boolean {
  for (const scope of f.byType.values()) if (scopePermits(scope, attr)) return true;
  return false;
}

/**
 * The types a request may touch, for looking up prohibitions: the named ones; for a read
 * without type, those the caller's permissions show, or every type when a permission
 * without a type refinement applies (then the response can show anything).
 */
function touchedTypes(req: PolicyRequest, unknownType: boolean, isRead: boolean, applied: readonly Applied[]): readonly string[] | null {
  if (!unknownType) return req.types;
  if (!isRead) return null;
  const types = new Set<string>();
  for (const { rule } of applied) {
    if (rule.types === null) return null;
    for (const t of rule.types) types.add(t);
  }
  return [...types];
}

/** A prohibition applies where the request may touch one of its ids; it takes no consent. */
function prohibitionOutcome(p: Rule, req: PolicyRequest, input: MatchInput, scratch: string[]): string {
  return outcomeOf(p, req, input, scratch, idsMayTouch);
}

function isDecision(x: Forbidden | Decision): x is Decision {
  return 'effect' in x;
}

function permit(id: string, used: readonly Applied[], counters: readonly string[], view: ShownObligations): Decision {
  const keys: string[] = [];
  let detailed = false;
  for (const a of used) {
    for (let i = a.from; i < a.to; i++) keys.push(counters[i] as string);
    detailed ||= a.rule.log;
  }
  const rules = refsOf(used.map((a) => a.rule));
  // The parts of one narrowed rule share its counter keys: a request counts once.
  const obligations: Obligations = { counters: keys.length < 2 ? keys : [...new Set(keys)], auditLevel: detailed ? 'detailed' : 'normal' };
  if (view.view !== undefined) obligations.view = view.view;
  if (view.otherTypes !== undefined) obligations.otherTypes = view.otherTypes;
  if (view.excludeTypes !== undefined) obligations.excludeTypes = view.excludeTypes;
  if (view.forbidTypes !== undefined) obligations.forbidTypes = view.forbidTypes;
  if (view.within !== undefined) obligations.within = view.within;
  if (view.otherTypesWithin !== undefined) obligations.otherTypesWithin = view.otherTypesWithin;
  if (view.consent !== undefined) obligations.consent = view.consent;
  return { id, effect: 'permit', reason: 'permitted', detail: PERMITTED, rules, obligations };
}

function decideOrThrow(req: PolicyRequest, snap: PolicySnapshot, state: DecideState): Decision {
  const id = state.decisionId;
  if (!isContractAction(req.action)) return deny(id, 'no_matching_permission');
  const action = req.action;
  const isRead = READ_ACTIONS.has(action);
  if (isRead && req.filterReads.some((f) => f.via === 'join')) return deny(id, 'join_not_permitted');
  const unknownType = req.typeUnknown || req.types.length === 0;
  const input: MatchInput = { req, counters: state.counters, subjectKey: counterSubject(req.subject), ...(state.limits ? { limits: state.limits } : {}) };

  // A write whose entity type is unknown can only rest on permissions without a type.
  const anyTypeOnly = !isRead && unknownType;
  const trace = state.considered;
  // Reads are cut per entity, a temporal read also to when each consent held, and each
  // notification of a subscription per entity as its consents stand when it is delivered;
  // a write cannot be held to each entity's consent, so consent-bound rules never cover it.
  const covering = isRead ? coveringConsents(state.consents, req) : [];
  const manages = SUBSCRIPTION_MANAGEMENT.has(req.operation);
  const consented = (r: Rule): boolean => manages || consentMayApply(r, covering, req, unknownType);
  const buckets = callerBuckets(snap.permissions, action, req.subject);
  const types = unknownType ? null : req.types;
  // First the permissions the declared purpose can meet: a permit needs nothing else. A
  // deny is told again from every permission addressed to the caller, so its reason (a
  // purpose not met, a consent missing) is the one the whole set gives; so is a trace.
  let found = trace === undefined ? matchPermissions(candidates(reachable(buckets, req.purpose), types, anyTypeOnly), req, input, manages, consented) : undefined;
  if (found === undefined || (found.applied.length === 0 && found.bound.length === 0)) {
    found = matchPermissions(candidates(wholly(buckets), types, anyTypeOnly), req, input, manages, consented, trace);
  }
  const { counters, applied, bound, sawConsent, unmet } = found;

  // Prohibitions win over any permission, so they are checked before the reasons to deny.
  const touched = touchedTypes(req, unknownType, isRead, [...applied, ...bound]);
  const forbidden = collectProhibitions(req, snap, action, touched, isRead, unknownType, input, trace);
  if (isDecision(forbidden)) return { ...forbidden, id };
  // An entity may carry several types: one the caller may read and one it is forbidden to
  // see at all, or some of whose attributes are prohibited. Prohibitions on types the
  // request does not name are collected too, so the response filter can apply them.
  if (isRead && touched !== null) collectOtherTypeProhibitions(req, snap, action, input, forbidden, touched);

  if (applied.length === 0 && bound.length === 0) {
    if (sawConsent) return deny(id, 'consent_required');
    if (unmet.length > 0) return deny(id, 'constraint_not_satisfied', [], { unmet: uniqueUnmet(unmet) });
    return deny(id, anyTypeOnly ? 'type_required' : 'no_matching_permission');
  }

  // Each type is shown as the permissions covering it say, with their areas or none.
  const grants = new Grants(applied);
  if (!isRead) return decideWrite(req, id, grants, counters, forbidden, unknownType);
  const consent = bound.length === 0 ? undefined : { grants: new Grants(bound), rules: bound.map((a) => a.rule), covering };
  return decideRead(req, id, grants, counters, forbidden, unknownType, consent);
}

interface Matched {
  counters: string[];
  applied: Applied[];
  /** Consent-bound permissions that apply, each entity under its data subject's consent. */
  bound: Applied[];
  sawConsent: boolean;
  unmet: Array<{ rule: RuleRef; constraint: string }>;
}

/** What becomes of each candidate permission. */
function matchPermissions(rules: readonly Rule[], req: PolicyRequest, input: MatchInput, manages: boolean, consented: (r: Rule) => boolean, trace?: Considered[]): Matched {
  const m: Matched = { counters: [], applied: [], bound: [], sawConsent: false, unmet: [] };
  for (const r of rules) {
    const from = m.counters.length;
    const outcome = outcomeOf(r, req, input, m.counters, idsCovered, consented);
    trace?.push({ rule: ref(r), kind: 'permission', outcome });
    if (outcome === 'applied') (r.consent && !manages ? m.bound : m.applied).push({ rule: r, from, to: m.counters.length });
    else if (outcome === 'consent') m.sawConsent = true;
    else if (outcome.startsWith('constraint:')) m.unmet.push({ rule: ref(r), constraint: outcome.slice('constraint:'.length) });
  }
  return m;
}

/** One entry per rule: a narrowed rule's parts fail alike. */
function uniqueUnmet(unmet: Array<{ rule: RuleRef; constraint: string }>): Array<{ rule: RuleRef; constraint: string }> {
  const seen = new Set<string>();
  return unmet.filter((u) => {
    const key = `${u.rule.contract}\u0000${u.rule.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Areas per type, collected as the types are resolved. */
class AreaSink {
  byType: Map<string, ReadonlyArray<Area>> | undefined;
  other: ReadonlyArray<Area> | undefined;

  add(type: string | null, g: TypeGrant): void {
    if (g.areas === undefined) return;
    if (type === null) this.other = g.areas;
    else (this.byType ??= new Map()).set(type, g.areas);
  }

  /** The obligations' `within` and `otherTypesWithin`. */
  shown(): ShownObligations {
    const out: ShownObligations = {};
    if (this.byType !== undefined) out.within = this.byType;
    if (this.other !== undefined) out.otherTypesWithin = this.other;
    return out;
  }
}

/** The permissions the decision rests on: for named types, those covering one of them. */
function relevantTo(req: PolicyRequest, grants: Grants, unknownType: boolean, bound?: Grants): Applied[] {
  const used = bound === undefined ? grants.used() : [...grants.used(), ...bound.used()];
  return unknownType ? used : used.filter((a) => a.rule.types === null || req.types.some((t) => a.rule.types?.has(t)));
}

function decideWrite(req: PolicyRequest, id: string, grants: Grants, counters: readonly string[], f: Forbidden, unknownType: boolean): Decision {
  const whole = WHOLE_ENTITY_OPERATIONS.has(req.operation);
  // With the type unknown, every attribute prohibition of the caller may concern the entity.
  const forbiddenAll = unknownType ? [...f.byType.values()].reduce((a, b) => unionScope(a, b), f.anyType ?? { kind: 'only', attrs: new Set<string>() } as AttributeScope) : undefined;
  const areas = new AreaSink();
  for (const type of unknownType ? [null] : req.types) {
    const grant = grants.grantFor(type);
    if (!grant) return type === null ? deny(id, 'type_required') : deny(id, 'type_not_permitted', [], { type });
    const granted = grant.scope;
    const effective = forbiddenAll ? withoutScope(granted, forbiddenAll) : applyForbidden(granted, f, type);
    for (const attr of req.attrs) {
      if (scopePermits(effective, attr)) continue;
      return scopePermits(granted, attr) ? deny(id, 'prohibited', f.rules, { attribute: attr }) : deny(id, 'attribute_not_permitted', [], { attribute: attr });
    }
    if (whole && !isFullScope(effective)) {
      const culprit = type === null ? undefined : { type };
      return isFullScope(granted) ? deny(id, 'prohibited', f.rules, culprit) : deny(id, 'attribute_not_permitted', [], culprit);
    }
    areas.add(type, grant);
  }
  return permit(id, relevantTo(req, grants, unknownType), counters, areas.shown());
}

/** The consent-bound permissions that apply, and the caller's consents covering the request. */
interface Bound {
  grants: Grants;
  rules: readonly Rule[];
  covering: readonly ConsentGrant[];
}

/**
 * What entities of one type show: the permissions needing no consent, and the
 * consent-bound ones (recorded in `consentTypes`, to be cut per entity). Undefined when
 * neither covers the type; a string when the type cannot be decided (a deny reason).
 */
function typeScope(t: string, grants: Grants, f: Forbidden, areas: AreaSink, bound: Bound | undefined, consentTypes: Map<string, ConsentType>): AttributeScope | undefined | 'consent_subject_ambiguous' {
  const grant = grants.grantFor(t);
  const withConsent = bound?.grants.grantFor(t);
  if (grant) areas.add(t, grant);
  if (!withConsent || !bound) return grant && applyForbidden(grant.scope, f, t);
  const subject = subjectAttribute(bound.rules, t);
  if (subject === undefined) return 'consent_subject_ambiguous';
  const granted = applyForbidden(withConsent.scope, f, t);
  const entry: ConsentType = { subject, granted };
  if (grant) entry.free = applyForbidden(grant.scope, f, t);
  consentTypes.set(t, entry);
  return entry.free ? unionScope(entry.free, granted) : granted;
}

function decideRead(req: PolicyRequest, id: string, grants: Grants, counters: readonly string[], f: Forbidden, unknownType: boolean, bound?: Bound): Decision {
  const view = new Map<string, AttributeScope>();
  const areas = new AreaSink();
  const consentTypes = new Map<string, ConsentType>();
  let other: AttributeScope | undefined;
  if (!unknownType) {
    for (const t of req.types) {
      const scope = typeScope(t, grants, f, areas, bound, consentTypes);
      if (scope === 'consent_subject_ambiguous') return deny(id, scope, [], { type: t });
      if (!scope) return deny(id, 'type_not_permitted', [], { type: t });
      view.set(t, scope);
    }
  } else {
    const types = grants.namedTypes();
    if (bound) for (const t of bound.grants.namedTypes()) types.add(t);
    const anyGranted = grants.grantFor(null);
    // Types with their own attribute prohibition get their own entry, so the
    // prohibition also cuts entities shown through a permission without a type.
    if (anyGranted) for (const t of f.byType.keys()) types.add(t);
    for (const t of types) {
      if (f.excluded.has(t)) continue;
      const scope = typeScope(t, grants, f, areas, bound, consentTypes);
      if (scope === 'consent_subject_ambiguous') return deny(id, scope, [], { type: t });
      if (scope) view.set(t, scope);
    }
    if (anyGranted) {
      other = applyForbidden(anyGranted.scope, f, null);
      areas.add(null, anyGranted);
    }
  }
  const scopes = other ? [...view.values(), other] : [...view.values()];
  if (scopes.length === 0) return deny(id, 'no_matching_permission');
  for (const attr of req.attrs) {
    if (!scopes.some((s) => scopePermits(s, attr))) return deny(id, 'attribute_not_permitted', [], { attribute: attr });
    // Notifications reach the subscriber uncut: none may carry what some type takes away.
    if (req.action === 'subscribe' && forbiddenOnSomeType(f, attr)) return deny(id, 'attribute_not_permitted', [], { attribute: attr });
  }
  for (const fr of req.filterReads) {
    if (PROJECTIONS.has(fr.via)) continue;
    const culprit = { attribute: fr.attr, parameter: fr.via };
    if (!scopes.every((s) => scopePermits(s, fr.attr))) return deny(id, 'filter_reads_forbidden_attribute', [], culprit);
    // A returned entity may carry any type: a filter must not probe what one of them forbids.
    if (forbiddenOnSomeType(f, fr.attr)) return deny(id, 'filter_reads_forbidden_attribute', [], culprit);
  }
  const shown = areas.shown();
  // Without types of their own, every entity is shown whole, within the same areas if any.
  const unfiltered = consentTypes.size === 0 && other !== undefined && isFullScope(other) && f.excluded.size === 0 && f.byType.size === 0
    && [...view.values()].every(isFullScope) && (shown.within === undefined && (shown.otherTypesWithin === undefined || view.size === 0));
  if (!unfiltered) {
    shown.view = view;
    shown.otherTypes = other;
    if (f.excluded.size > 0) shown.excludeTypes = f.excluded;
    if (f.byType.size > 0) shown.forbidTypes = f.byType;
  }
  if (bound && consentTypes.size > 0) shown.consent = consentObligation(consentTypes, bound.covering);
  return permit(id, relevantTo(req, grants, unknownType, bound?.grants), counters, shown);
}

/** Decides one request. Never throws: an internal failure is a deny with reason `decision_error`. */
export function decideContracts(req: PolicyRequest, snapshot: PolicySnapshot, state: DecideState): Decision {
  try {
    const limits = new Map<string, number>();
    const decision = decideOrThrow(req, snapshot, { ...state, limits });
    const counted = decision.obligations.counters;
    if (counted.length > 0) decision.obligations.limits = counted.map((k) => limits.get(k) ?? 0);
    return decision;
  } catch {
    return deny(state.decisionId, 'decision_error');
  }
}
