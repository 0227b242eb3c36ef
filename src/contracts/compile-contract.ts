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
  fail, profileKey, readKeys, readList, readOptionalList, readObject, readString, readStrings, readTerm, requireOperator, termText, unwrap,
  type JsonObject, type ReadContext,
} from './reader.js';
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
    fail('ERR_CONTRACT_UNKNOWN_TERM', at, termText(target['@type']), 'a target is an AssetCollection');
  }
  const out: Target = { types: null, ids: null, attrs: null, tenants: null };
  const seen = new Set<TargetOperand>();
  // An absent or empty refinement list means every asset of the tenant(s).
  for (const r of readOptionalList(target['refinement'], at, 'refinement')) {
    const ref = readKeys(readObject(r, at, 'refinement'), REFINEMENT_KEYS, at, profileKey);
    const left = readTerm(TARGET_OPERANDS, ref['leftOperand'], at, 'target left operand');
    const op = readTerm(OPERATORS, ref['operator'], at, 'operator');
    if (seen.has(left)) fail('ERR_CONTRACT_MALFORMED', at, left, 'refined twice in one target');
    seen.add(left);
    const right = ref['rightOperand'];
    switch (left) {
      case 'entityType':
        requireOperator(op, ['eq', 'isAnyOf'], at, left);
        out.types = new Set(readStrings(right, op === 'eq', at, left).map((t) => at.expand(t)));
        break;
      case 'entityId':
        requireOperator(op, ['eq', 'isAnyOf', 'matches'], at, left);
        if (op === 'matches') {
          const pattern = readString(right, at, left);
          const re = compileIdPattern(pattern);
          if (typeof re === 'string') fail('ERR_CONTRACT_BAD_PATTERN', at, pattern, `pattern refused (${re.replace('_', ' ')})`);
          out.ids = { ids: null, pattern: re };
        } else {
          out.ids = { ids: new Set(readStrings(right, op === 'eq', at, left)), pattern: null };
        }
        break;
      case 'attribute': {
        requireOperator(op, ['isAnyOf', 'isNoneOf'], at, left);
        const attrs = new Set(readStrings(right, false, at, left).map((a) => at.expand(a)));
        out.attrs = op === 'isAnyOf' ? { kind: 'only', attrs } : { kind: 'all', except: attrs };
        break;
      }
      case 'tenant':
        requireOperator(op, ['eq', 'isAnyOf'], at, left);
        out.tenants = new Set(readStrings(right, op === 'eq', at, left).map(canonicalTenant));
        break;
    }
  }
  return out;
}

function readAssignee(raw: unknown, at: ReadContext): Assignee | null {
  if (raw === undefined) return null;
  const parties = new Map<string, Set<string>>();
  const roles = new Set<string>();
  for (const a of readList(raw, at, 'assignee')) {
    const v = unwrap(a);
    if (typeof v === 'string') {
      addParty(parties, readString(v, at, 'assignee'), at);
      continue;
    }
    const party = readKeys(readObject(v, at, 'assignee'), PARTY_KEYS, at, profileKey);
    const type = unwrap(party['@type']);
    if (type !== 'PartyCollection' && type !== 'odrl:PartyCollection') {
      fail('ERR_CONTRACT_UNKNOWN_TERM', at, String(type), 'an assignee is a party id or a PartyCollection');
    }
    if (party['refinement'] === undefined) fail('ERR_CONTRACT_MALFORMED', at, 'PartyCollection', 'a PartyCollection needs a role refinement');
    for (const r of readList(party['refinement'], at, 'refinement')) {
      const ref = readKeys(readObject(r, at, 'refinement'), REFINEMENT_KEYS, at, profileKey);
      const left = readTerm(PARTY_OPERANDS, ref['leftOperand'], at, 'party left operand');
      const op = readTerm(OPERATORS, ref['operator'], at, 'operator');
      requireOperator(op, ['eq', 'isAnyOf'], at, left);
      for (const role of readStrings(ref['rightOperand'], op === 'eq', at, left)) roles.add(role);
    }
  }
  return { parties, roles };
}

function readActions(raw: unknown, at: ReadContext): ReadonlySet<ContractAction> {
  if (raw === undefined) fail('ERR_CONTRACT_MALFORMED', at, 'action', 'every rule needs an action');
  const actions = new Set<ContractAction>();
  for (const a of readList(raw, at, 'action')) {
    const action = readTerm(ACTION_TERMS, a, at, 'action');
    if (action === 'use') for (const each of CONTRACT_ACTIONS) actions.add(each);
    else actions.add(action);
  }
  return actions;
}

function readDuties(raw: unknown, at: ReadContext): { log: boolean; consent: boolean } {
  const duties = { log: false, consent: false };
  for (const d of readOptionalList(raw, at, 'duty')) {
    const duty = readKeys(readObject(d, at, 'duty'), DUTY_KEYS, at, profileKey);
    const action = readTerm(DUTY_ACTIONS, duty['action'], at, 'duty');
    if (action === 'log') duties.log = true;
    else duties.consent = true;
  }
  return duties;
}

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
  const uid = obj['uid'] === undefined ? unnamed.rule as string : readString(obj['uid'], unnamed, 'uid');
  const at: ReadContext = { ...base, rule: uid };
  const rule = readKeys(obj, kind === 'permission' ? PERMISSION_KEYS : PROHIBITION_KEYS, at, profileKey);
  const expectedType = kind === 'permission' ? 'Permission' : 'Prohibition';
  if (rule['@type'] !== undefined && unwrap(rule['@type']) !== expectedType) {
    fail('ERR_CONTRACT_UNKNOWN_TERM', at, termText(rule['@type']), `a ${kind} has @type ${expectedType}`);
  }
  const target = readTarget(rule['target'], at);
  const ruleFrom = readValidFrom(rule['validFrom'], at) ?? validFrom;
  const assignee = readAssignee(rule['assignee'], at);
  const read = readConstraints(rule['constraint'], at, { kind, validFrom: ruleFrom, assignedToRoles: (assignee?.roles.size ?? 0) > 0 });
  const duties = readDuties(rule['duty'], at);
  if (rule['assigner'] !== undefined) readString(rule['assigner'], at, 'assigner');
  const description = rule['description'] === undefined ? undefined : readString(rule['description'], at, 'description');
  const compiled: Rule = {
    contract,
    uid,
    provider: null,
    kind,
    actions: readActions(rule['action'], at),
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
    dataSubject: kind === 'permission' ? readDataSubject(rule['dataSubject'], at) ?? dataSubject ?? null : null,
  };
  checkConsentRule(compiled, at);
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
  for (const key of ['assigner', 'title', 'description']) if (doc[key] !== undefined) readString(doc[key], at, key);
  // The context itself is resolved by the caller into the expander; here only its shape is checked.
  const own = doc['context'];
  if (own !== undefined && typeof own !== 'string' && typeof own !== 'object') fail('ERR_CONTRACT_BAD_VALUE', at, 'ngsi:context', 'ngsi:context is a URL, an object or an array');
}

/**
 * Validates and compiles one contract document. Throws ContractError on anything outside
 * the profile. `parties` are the issuers its party names may refer to.
 */
export function compileContract(source: string, doc: unknown, expand: TermExpander, parties: PartyNames): CompiledContract {
  const base: ReadContext = { source, expand, parties };
  const raw = readObject(doc, base, 'contract');
  recognise(raw, base);
  const fields = readKeys(raw, CONTRACT_KEYS, base, profileKey);
  checkHeader(fields, base);
  const type = readTerm(POLICY_TYPES, fields['@type'], base, 'policy type');
  const uid = readString(fields['uid'], base, 'uid');
  const validFrom = readValidFrom(fields['validFrom'], base);
  const dataSubject = readDataSubject(fields['dataSubject'], base);
  const rules = (key: 'permission' | 'prohibition'): Rule[] =>
    readOptionalList(fields[key], base, key).map((r, i) => readRule(r, key, i, uid, validFrom, dataSubject, base));
  const permissions = rules('permission');
  const prohibitions = rules('prohibition');
  if (permissions.length + prohibitions.length === 0) fail('ERR_CONTRACT_MALFORMED', base, uid, 'a contract needs at least one permission or prohibition');
  const seen = new Set<string>();
  for (const r of [...permissions, ...prohibitions]) {
    if (seen.has(r.uid)) fail('ERR_CONTRACT_DUPLICATE_UID', { ...base, rule: r.uid }, r.uid, 'rule uid used twice in the contract');
    seen.add(r.uid);
  }
  return Object.freeze({ uid, key: uid, provider: null, source, type, permissions: Object.freeze(permissions), prohibitions: Object.freeze(prohibitions) });
}
