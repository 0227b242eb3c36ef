/**
 * Validates one contract document against the profile and compiles it into rules.
 * Strict: a key, term, operator or value outside the profile is an error, never ignored,
 * because an ignored restriction would grant more than the author meant.
 */
import type { AttributeScope } from './model.js';
import { readConstraints } from './constraints.js';
import type { TermExpander } from './expand.js';
import type { Assignee, CompiledContract, EntityIdMatch, Rule } from './model.js';
import {
  attempt, fail, located, member, noteNames, profileKey, readKeys, readList, readOptionalList, readObject, readString, readStrings, readTerm,
  requireOperator, termText, unwrap,
  type JsonObject, type NameUse, type ReadContext,
} from './reader.js';
import type { ContractError } from './errors.js';
import { compileIdPattern } from './regex.js';
import { addParty, type PartyNames } from './parties.js';
import { canonicalTenant } from '../ngsi/tenant.js';
import { parseDateTime } from './values.js';
import {
  ACTION_TERMS, CONTRACT_ACTIONS, DUTY_ACTIONS, ODRL_CONTEXT, OPERATORS, PARTY_OPERANDS, POLICY_TYPES,
  PROFILE_IRI, TARGET_OPERANDS, type ContractAction, type TargetOperand,
} from './vocabulary.js';

const CONTRACT_KEYS = new Set(['@context', '@type', 'uid', 'profile', 'assigner', 'title', 'description', 'context', 'validFrom', 'dataSubject', 'permission', 'prohibition']);
const PERMISSION_KEYS = new Set(['uid', '@type', 'target', 'assignee', 'assigner', 'action', 'constraint', 'duty', 'validFrom', 'dataSubject', 'description']);
const PROHIBITION_KEYS = new Set(['uid', '@type', 'target', 'assignee', 'assigner', 'action', 'constraint', 'validFrom', 'description']);
const TARGET_KEYS = new Set(['@type', 'uid', 'refinement']);
const PARTY_KEYS = new Set(['@type', 'uid', 'refinement']);
const REFINEMENT_KEYS = new Set(['leftOperand', 'operator', 'rightOperand', 'uid', '@type']);
const DUTY_KEYS = new Set(['action', 'uid', '@type']);

const FULL: AttributeScope = { kind: 'all', except: new Set<string>() };

function readValidFrom(v: unknown, at: ReadContext): number | undefined {
  if (v === undefined) return undefined;
  const text = readString(v, at, 'ngsi:validFrom');
  const ms = parseDateTime(text);
  if (ms === undefined) fail('ERR_CONTRACT_BAD_VALUE', at, text, 'not an ISO 8601 date-time with a time zone');
  return ms;
}

interface Target {
  types: ReadonlySet<string> | null;
  ids: EntityIdMatch | null;
  attrs: AttributeScope | null;
  tenants: ReadonlySet<string> | null;
}

function readTarget(raw: unknown, at: ReadContext): Target {
  if (raw === undefined) fail('ERR_CONTRACT_MALFORMED', at, 'target', 'every rule needs a target (an AssetCollection)');
  const target = readKeys(readObject(raw, at, 'target'), TARGET_KEYS, at, profileKey);
  if (target['@type'] !== undefined && unwrap(target['@type']) !== 'AssetCollection' && unwrap(target['@type']) !== 'odrl:AssetCollection') {
    fail('ERR_CONTRACT_UNKNOWN_TERM', member(at, target, '@type'), termText(target['@type']), 'a target is an AssetCollection');
  }
  const out: Target = { types: null, ids: null, attrs: null, tenants: null };
  const seen = new Set<TargetOperand>();
  const refinements = member(at, target, 'refinement');
  // An absent or empty refinement list means every asset of the tenant(s).
  for (const [r, here] of located(target['refinement'], readOptionalList(target['refinement'], refinements, 'refinement'), refinements)) {
    attempt(here, () => readRefinement(r, here, seen, out));
  }
  return out;
}

function readRefinement(r: unknown, at: ReadContext, seen: Set<TargetOperand>, out: Target): void {
  const ref = readKeys(readObject(r, at, 'refinement'), REFINEMENT_KEYS, at, profileKey);
  const leftAt = member(at, ref, 'leftOperand');
  const opAt = member(at, ref, 'operator');
  const rightAt = member(at, ref, 'rightOperand');
  const left = readTerm(TARGET_OPERANDS, ref['leftOperand'], leftAt, 'target left operand');
  const op = readTerm(OPERATORS, ref['operator'], opAt, 'operator');
  if (seen.has(left)) fail('ERR_CONTRACT_MALFORMED', leftAt, left, 'refined twice in one target');
  seen.add(left);
  const right = ref['rightOperand'];
  switch (left) {
    case 'entityType': {
      requireOperator(op, ['eq', 'isAnyOf'], opAt, left);
      const types = readStrings(right, op === 'eq', rightAt, left);
      noteNames(rightAt, 'type', right, types, at.expand);
      out.types = new Set(types.map((t) => at.expand(t)));
      break;
    }
    case 'entityId':
      requireOperator(op, ['eq', 'isAnyOf', 'matches'], opAt, left);
      if (op === 'matches') {
        const pattern = readString(right, rightAt, left);
        const re = compileIdPattern(pattern);
        if (typeof re === 'string') fail('ERR_CONTRACT_BAD_PATTERN', rightAt, pattern, `pattern refused (${re.replace('_', ' ')})`);
        out.ids = { ids: null, pattern: re };
      } else {
        out.ids = { ids: new Set(readStrings(right, op === 'eq', rightAt, left)), pattern: null };
      }
      break;
    case 'attribute': {
      requireOperator(op, ['isAnyOf', 'isNoneOf'], opAt, left);
      const names = readStrings(right, false, rightAt, left);
      noteNames(rightAt, 'attribute', right, names, at.expand);
      const attrs = new Set(names.map((a) => at.expand(a)));
      out.attrs = op === 'isAnyOf' ? { kind: 'only', attrs } : { kind: 'all', except: attrs };
      break;
    }
    case 'tenant':
      requireOperator(op, ['eq', 'isAnyOf'], opAt, left);
      out.tenants = new Set(readStrings(right, op === 'eq', rightAt, left).map(canonicalTenant));
      break;
  }
}

function readAssignee(raw: unknown, at: ReadContext): Assignee | null {
  if (raw === undefined) return null;
  const parties = new Map<string, Set<string>>();
  const roles = new Set<string>();
  for (const [a, here] of located(raw, readList(raw, at, 'assignee'), at)) {
    attempt(here, () => {
      const v = unwrap(a);
      if (typeof v === 'string') {
        const name = readString(v, here, 'assignee');
        noteNames(here, 'assignee', v, [name]);
        addParty(parties, name, here);
        return;
      }
      const party = readKeys(readObject(v, here, 'assignee'), PARTY_KEYS, here, profileKey);
      const type = unwrap(party['@type']);
      if (type !== 'PartyCollection' && type !== 'odrl:PartyCollection') {
        fail('ERR_CONTRACT_UNKNOWN_TERM', member(here, party, '@type'), String(type), 'an assignee is a party id or a PartyCollection');
      }
      if (party['refinement'] === undefined) fail('ERR_CONTRACT_MALFORMED', here, 'PartyCollection', 'a PartyCollection needs a role refinement');
      const refinements = member(here, party, 'refinement');
      for (const [r, refAt] of located(party['refinement'], readList(party['refinement'], refinements, 'refinement'), refinements)) {
        attempt(refAt, () => {
          const ref = readKeys(readObject(r, refAt, 'refinement'), REFINEMENT_KEYS, refAt, profileKey);
          const left = readTerm(PARTY_OPERANDS, ref['leftOperand'], member(refAt, ref, 'leftOperand'), 'party left operand');
          const opAt = member(refAt, ref, 'operator');
          const op = readTerm(OPERATORS, ref['operator'], opAt, 'operator');
          requireOperator(op, ['eq', 'isAnyOf'], opAt, left);
          const rightAt = member(refAt, ref, 'rightOperand');
          const named = readStrings(ref['rightOperand'], op === 'eq', rightAt, left);
          noteNames(rightAt, 'role', ref['rightOperand'], named);
          for (const role of named) roles.add(role);
        });
      }
    });
  }
  return { parties, roles };
}

function readActions(raw: unknown, at: ReadContext): ReadonlySet<ContractAction> {
  if (raw === undefined) fail('ERR_CONTRACT_MALFORMED', at, 'action', 'every rule needs an action');
  const actions = new Set<ContractAction>();
  for (const [a, here] of located(raw, readList(raw, at, 'action'), at)) {
    const action = attempt(here, () => readTerm(ACTION_TERMS, a, here, 'action'));
    if (action === undefined) continue;
    if (action === 'use') for (const each of CONTRACT_ACTIONS) actions.add(each);
    else actions.add(action);
  }
  return actions;
}

function readDuties(raw: unknown, at: ReadContext): { log: boolean; consent: boolean } {
  const duties = { log: false, consent: false };
  for (const [d, here] of located(raw, readOptionalList(raw, at, 'duty'), at)) {
    attempt(here, () => {
      const duty = readKeys(readObject(d, here, 'duty'), DUTY_KEYS, here, profileKey);
      const action = readTerm(DUTY_ACTIONS, duty['action'], member(here, duty, 'action'), 'duty');
      if (action === 'log') duties.log = true;
      else duties.consent = true;
    });
  }
  return duties;
}

const EMPTY_TARGET: Target = { types: null, ids: null, attrs: null, tenants: null };
const NO_CONSTRAINTS = { constraints: [], area: null, hasCount: false };

/** The attribute naming an entity's data subject, expanded like every attribute name. */
function readDataSubject(v: unknown, at: ReadContext): string | undefined {
  return v === undefined ? undefined : at.expand(readString(v, at, 'ngsi:dataSubject'));
}

/**
 * A consent is checked per entity, on the person its data-subject attribute names, for
 * the entity types the consent covers: such a permission names its types, and an area
 * cannot bound it (the consent, not the place, decides which entities go out).
 */
function checkConsentRule(rule: Pick<Rule, 'consent' | 'dataSubject' | 'types' | 'area'>, at: ReadContext): void {
  if (!rule.consent || rule.dataSubject === null) return;
  if (rule.types === null) fail('ERR_CONTRACT_MALFORMED', at, 'ngsi:dataSubject', 'a permission needing consent names the entity types it covers');
  if (rule.area !== null) fail('ERR_CONTRACT_MALFORMED', at, 'spatial', 'a permission needing consent cannot be bounded by an area');
}

function readRule(raw: unknown, kind: Rule['kind'], index: number, contract: string, validFrom: number | undefined, dataSubject: string | undefined, base: ReadContext): Rule {
  const unnamed: ReadContext = { ...base, rule: `${kind}[${index}]` };
  const obj = readObject(raw, unnamed, kind);
  const uid = obj['uid'] === undefined ? unnamed.rule as string : readString(obj['uid'], member(unnamed, obj, 'uid'), 'uid');
  const at: ReadContext = { ...base, rule: uid };
  const rule = readKeys(obj, kind === 'permission' ? PERMISSION_KEYS : PROHIBITION_KEYS, at, profileKey);
  const part = <T>(name: string, read: (raw: unknown, here: ReadContext) => T): T | undefined => {
    const here = member(at, rule, name);
    return attempt(here, () => read(rule[name], here));
  };
  const expectedType = kind === 'permission' ? 'Permission' : 'Prohibition';
  part('@type', (t, here) => {
    if (t !== undefined && unwrap(t) !== expectedType) fail('ERR_CONTRACT_UNKNOWN_TERM', here, termText(t), `a ${kind} has @type ${expectedType}`);
  });
  // A missing target or action is the rule's own fault, placed at the rule.
  const target = attempt(at, () => readTarget(rule['target'], rule['target'] === undefined ? at : member(at, rule, 'target'))) ?? EMPTY_TARGET;
  const ruleFrom = part('validFrom', readValidFrom) ?? validFrom;
  const assignee = part('assignee', readAssignee) ?? null;
  const read = part('constraint', (c, here) => readConstraints(c, here, { kind, validFrom: ruleFrom, assignedToRoles: (assignee?.roles.size ?? 0) > 0 })) ?? NO_CONSTRAINTS;
  const duties = part('duty', readDuties) ?? { log: false, consent: false };
  part('assigner', (a, here) => { if (a !== undefined) readString(a, here, 'assigner'); });
  const description = part('description', (d, here) => (d === undefined ? undefined : readString(d, here, 'description')));
  const actions = attempt(at, () => readActions(rule['action'], rule['action'] === undefined ? at : member(at, rule, 'action'))) ?? new Set<ContractAction>();
  const compiled: Rule = {
    contract,
    uid,
    provider: null,
    kind,
    actions,
    types: target.types,
    ids: target.ids,
    attrs: kind === 'permission' ? target.attrs ?? FULL : target.attrs,
    tenants: target.tenants,
    assignee,
    constraints: read.constraints,
    hasCount: read.hasCount,
    area: read.area,
    log: duties.log,
    consent: duties.consent,
    dataSubject: kind === 'permission' ? part('dataSubject', readDataSubject) ?? dataSubject ?? null : null,
  };
  attempt(at, () => checkConsentRule(compiled, at));
  if (description !== undefined) compiled.description = description;
  return Object.freeze(compiled);
}

/**
 * A document must show itself to be a contract of this profile (the ODRL context and the
 * profile IRI) before anything of it is quoted in an error: a file that is not a contract
 * at all could hold anything, and its content must not travel into logs and answers.
 */
function recognise(doc: JsonObject, at: ReadContext): void {
  const ctx = doc['@context'];
  const contexts = Array.isArray(ctx) ? ctx : [ctx];
  if (!contexts.includes(ODRL_CONTEXT)) fail('ERR_CONTRACT_MALFORMED', at, '@context', `@context must include ${ODRL_CONTEXT}`);
  if (unwrap(doc['profile']) !== PROFILE_IRI) fail('ERR_CONTRACT_UNKNOWN_TERM', at, 'profile', `profile must be ${PROFILE_IRI}`);
}

function checkHeader(doc: JsonObject, at: ReadContext): void {
  for (const key of ['assigner', 'title', 'description']) {
    const here = member(at, doc, key);
    if (doc[key] !== undefined) attempt(here, () => readString(doc[key], here, key));
  }
  // The context itself is resolved by the caller into the expander; here only its shape is checked.
  const own = doc['context'];
  if (own !== undefined && typeof own !== 'string' && typeof own !== 'object') fail('ERR_CONTRACT_BAD_VALUE', member(at, doc, 'context'), 'ngsi:context', 'ngsi:context is a URL, an object or an array');
}

/** What reading a whole document found: the contract when it has no problem, every problem, the names it uses. */
export interface ContractCheck {
  contract: CompiledContract | undefined;
  problems: ContractError[];
  names: NameUse[];
}

function compile(base: ReadContext, doc: unknown): CompiledContract {
  const raw = readObject(doc, base, 'contract');
  recognise(raw, base);
  const fields = readKeys(raw, CONTRACT_KEYS, base, profileKey);
  attempt(base, () => checkHeader(fields, base));
  const type = attempt(member(base, fields, '@type'), () => readTerm(POLICY_TYPES, fields['@type'], member(base, fields, '@type'), 'policy type'));
  const uid = readString(fields['uid'], fields['uid'] === undefined ? base : member(base, fields, 'uid'), 'uid');
  const validFrom = attempt(base, () => readValidFrom(fields['validFrom'], member(base, fields, 'validFrom')));
  const dataSubject = attempt(base, () => readDataSubject(fields['dataSubject'], member(base, fields, 'dataSubject')));
  const rules = (key: 'permission' | 'prohibition'): Rule[] => {
    const at = member(base, fields, key);
    const out: Rule[] = [];
    located(fields[key], readOptionalList(fields[key], at, key), at).forEach(([r, here], i) => {
      const rule = attempt(here, () => readRule(r, key, i, uid, validFrom, dataSubject, here));
      if (rule) out.push(rule);
    });
    return out;
  };
  const permissions = rules('permission');
  const prohibitions = rules('prohibition');
  if (permissions.length + prohibitions.length === 0 && !base.problems?.length) fail('ERR_CONTRACT_MALFORMED', base, uid, 'a contract needs at least one permission or prohibition');
  const seen = new Set<string>();
  for (const r of [...permissions, ...prohibitions]) {
    if (seen.has(r.uid)) fail('ERR_CONTRACT_DUPLICATE_UID', { ...base, rule: r.uid }, r.uid, 'rule uid used twice in the contract');
    seen.add(r.uid);
  }
  return Object.freeze({ uid, key: uid, provider: null, source: base.source, type: type ?? 'Set', permissions: Object.freeze(permissions), prohibitions: Object.freeze(prohibitions) });
}

/**
 * Validates and compiles one contract document. Throws ContractError on anything outside
 * the profile. `parties` are the issuers its party names may refer to.
 */
export function compileContract(source: string, doc: unknown, expand: TermExpander, parties: PartyNames): CompiledContract {
  return compile({ source, expand, parties }, doc);
}

/**
 * Reads a whole document as compileContract does, but goes on past a problem to the next
 * independent part (a key, a refinement, a constraint, a rule), so one pass finds them all.
 * A document that does not show itself to be a contract of the profile stops at that.
 */
export function checkContract(source: string, doc: unknown, expand: TermExpander, parties: PartyNames): ContractCheck {
  const problems: ContractError[] = [];
  const names: NameUse[] = [];
  const base: ReadContext = { source, expand, parties, problems, names, pointer: '' };
  const contract = attempt(base, () => compile(base, doc));
  return { contract: problems.length === 0 ? contract : undefined, problems, names };
}
