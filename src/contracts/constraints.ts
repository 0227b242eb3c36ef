/**
 * Reads a rule's `constraint` list into the compiled constraint tree. Spatial constraints
 * are lifted out to the rule (they produce an obligation rather than a yes/no), so they
 * are accepted only at the top level of a permission, at most once.
 */
import { PURPOSE_TERMS, purposeAncestors, purposeIri } from './purposes.js';
import { COUNT_SCOPES, type Area, type Comparison, type Constraint, type CountScope } from './model.js';
import { didYouMean, jsonPointer } from '../lib/index.js';
import {
  attempt, fail, isObject, located, member, noteNames, profileKey, readKeys, readObject, readOptionalList, readString, readStrings, readTerm, requireOperator, unwrap,
  type JsonObject, type ReadContext,
} from './reader.js';
import { readParties } from './parties.js';
import { addDuration, parseDateTime, parseDuration } from './values.js';
import { compileArea } from '../geo/index.js';
import { CONSTRAINT_OPERANDS, LOGICAL_OPERATORS, OPERATORS, type LogicalOperator, type Operator } from './vocabulary.js';

export interface ConstraintScope {
  kind: 'permission' | 'prohibition';
  /** Anchor of `elapsedTime`: the rule's `ngsi:validFrom`, else the contract's. */
  validFrom: number | undefined;
  /** True when the rule is assigned to roles: only then can a count be shared per role. */
  assignedToRoles: boolean;
}

export interface ReadConstraints {
  constraints: Constraint[];
  area: Area | null;
  hasCount: boolean;
}

const CONSTRAINT_KEYS = new Set(['leftOperand', 'operator', 'rightOperand', 'uid', '@type', 'period', 'countScope']);
const LOGICAL_KEYS = new Set(['and', 'or', 'xone', 'uid', '@type']);

function canonicalKey(key: string): string {
  return LOGICAL_OPERATORS.get(key) ?? profileKey(key);
}

class ConstraintReader {
  hasCount = false;
  area: Area | null = null;

  constructor(private readonly scope: ConstraintScope) {}

  read(raw: unknown, topLevel: boolean, at: ReadContext): Constraint | null {
    const obj = readObject(raw, at, 'constraint');
    const logical = Object.keys(obj).map(canonicalKey).filter((k) => k === 'and' || k === 'or' || k === 'xone');
    if (logical.length > 0) return this.readLogical(obj, logical, at);
    return this.readAtomic(readKeys(obj, CONSTRAINT_KEYS, at, canonicalKey), topLevel, at);
  }

  private readLogical(obj: JsonObject, names: string[], at: ReadContext): Constraint {
    if (names.length !== 1) fail('ERR_CONTRACT_MALFORMED', at, names.join(','), 'a logical constraint has exactly one of and, or, xone');
    const fields = readKeys(obj, LOGICAL_KEYS, at, canonicalKey);
    const kind = names[0] as LogicalOperator;
    let operandsAt = member(at, fields, kind);
    let operands = fields[kind];
    if (isObject(operands) && '@list' in operands) {
      operandsAt = member(operandsAt, operands, '@list');
      operands = operands['@list'];
    }
    if (!Array.isArray(operands) || operands.length < 2) {
      fail('ERR_CONTRACT_MALFORMED', operandsAt, kind, `${kind} takes an array of at least two constraints`);
    }
    const parts: Constraint[] = [];
    for (const [c, here] of located(operands, operands, operandsAt)) {
      attempt(here, () => {
        const part = this.read(c, false, here);
        if (part === null) fail('ERR_CONTRACT_MALFORMED', here, 'spatial', 'a spatial constraint must sit directly in the rule');
        parts.push(part);
      });
    }
    return { kind, parts };
  }

  private readAtomic(c: JsonObject, topLevel: boolean, at: ReadContext): Constraint | null {
    const left = readTerm(CONSTRAINT_OPERANDS, c['leftOperand'], member(at, c, 'leftOperand'), 'left operand');
    const opAt = member(at, c, 'operator');
    const op = readTerm(OPERATORS, c['operator'], opAt, 'operator');
    const right = c['rightOperand'];
    if (right === undefined) fail('ERR_CONTRACT_MALFORMED', at, left, 'constraint without rightOperand');
    if (c['period'] !== undefined && left !== 'count') fail('ERR_CONTRACT_UNKNOWN_TERM', member(at, c, 'period'), 'ngsi:period', 'period applies to count only');
    if (c['countScope'] !== undefined && left !== 'count') fail('ERR_CONTRACT_UNKNOWN_TERM', member(at, c, 'countScope'), 'ngsi:countScope', 'countScope applies to count only');
    const rightAt = member(at, c, 'rightOperand');
    switch (left) {
      case 'dateTime': {
        requireOperator(op, ['lt', 'lteq', 'gt', 'gteq', 'eq', 'neq'], opAt, left);
        const text = readString(right, rightAt, 'dateTime');
        const when = parseDateTime(text);
        if (when === undefined) fail('ERR_CONTRACT_BAD_VALUE', rightAt, text, 'not an ISO 8601 date-time with a time zone');
        return { kind: 'dateTime', op: op as Comparison, at: when };
      }
      case 'purpose': {
        requireOperator(op, ['eq', 'isA', 'isAnyOf', 'exactly'], opAt, left);
        const allowed = new Set<string>();
        const purposes = readStrings(right, op === 'exactly' ? !Array.isArray(unwrap(right)) : op !== 'isAnyOf', rightAt, 'purpose');
        for (const [p, here] of located(unwrap(right), purposes, rightAt)) {
          const iri = purposeIri(p as string);
          if (iri === undefined) fail('ERR_CONTRACT_UNKNOWN_TERM', here, p as string, 'not a DPV purpose known to the profile', didYouMean(p as string, PURPOSE_TERMS));
          allowed.add(iri);
        }
        const broader = new Set<string>();
        const binding = this.scope.kind === 'prohibition';
        if (binding) for (const p of allowed) for (const a of purposeAncestors(p)) broader.add(a);
        return { kind: 'purpose', allowed, broader, exact: op === 'exactly', binding };
      }
      case 'recipient':
        requireOperator(op, ['eq', 'neq', 'isAnyOf'], opAt, left);
        return {
          kind: left,
          allowed: readParties(readStrings(right, op !== 'isAnyOf', rightAt, left), rightAt),
          negated: op === 'neq',
          binding: this.scope.kind === 'prohibition',
        };
      case 'role':
        requireOperator(op, ['eq', 'neq', 'isAnyOf'], opAt, left);
      {
        const roles = readStrings(right, op !== 'isAnyOf', rightAt, left);
        noteNames(rightAt, 'role', right, roles);
        return { kind: left, allowed: new Set(roles), negated: op === 'neq' };
      }
      case 'count':
        return this.readCount(op, c, at);
      case 'elapsedTime': {
        requireOperator(op, ['lteq'], opAt, left);
        const text = readString(right, rightAt, 'elapsedTime');
        const d = parseDuration(text);
        if (!d) fail('ERR_CONTRACT_BAD_VALUE', rightAt, text, 'not an ISO 8601 duration');
        const from = this.scope.validFrom;
        if (from === undefined) fail('ERR_CONTRACT_MALFORMED', at, 'elapsedTime', 'elapsedTime needs ngsi:validFrom on the rule or the contract');
        return { kind: 'elapsedTime', from, until: addDuration(from, d) };
      }
      case 'spatial':
        this.readArea(op, right, topLevel, at);
        return null;
    }
  }

  private readCount(op: Operator, c: JsonObject, at: ReadContext): Constraint {
    requireOperator(op, ['lteq'], member(at, c, 'operator'), 'count');
    if (this.scope.kind === 'prohibition') fail('ERR_CONTRACT_UNKNOWN_TERM', member(at, c, 'leftOperand'), 'count', 'count is not allowed in a prohibition');
    const n = unwrap(c['rightOperand']);
    const max = typeof n === 'string' && /^\d+$/.test(n) ? Number(n) : n;
    if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) {
      fail('ERR_CONTRACT_BAD_VALUE', member(at, c, 'rightOperand'), String(n), 'count takes a non-negative integer');
    }
    this.hasCount = true;
    const scopeAt = member(at, c, 'countScope');
    const scope = c['countScope'] === undefined ? 'caller' : readString(c['countScope'], scopeAt, 'ngsi:countScope') as CountScope;
    if (!COUNT_SCOPES.includes(scope)) fail('ERR_CONTRACT_BAD_VALUE', scopeAt, scope, `countScope is one of ${COUNT_SCOPES.join(', ')}`, didYouMean(scope, COUNT_SCOPES));
    if (scope === 'role' && !this.scope.assignedToRoles) fail('ERR_CONTRACT_BAD_VALUE', scopeAt, scope, 'a count shared per role needs a rule assigned to roles (a PartyCollection)');
    const period = c['period'];
    if (period === undefined) return { kind: 'count', max, periodMs: null, period: 'total', scope };
    const periodAt = member(at, c, 'period');
    const text = readString(period, periodAt, 'ngsi:period');
    const d = parseDuration(text);
    if (!d) fail('ERR_CONTRACT_BAD_VALUE', periodAt, text, 'not an ISO 8601 duration');
    if (d.years !== 0 || d.months !== 0) fail('ERR_CONTRACT_BAD_VALUE', periodAt, text, 'a count period must have a fixed length (weeks, days, hours, minutes, seconds)');
    return { kind: 'count', max, periodMs: d.fixedMs, period: text, scope };
  }

  private readArea(op: Operator, right: unknown, topLevel: boolean, at: ReadContext): void {
    requireOperator(op, ['within'], at, 'spatial');
    if (this.scope.kind === 'prohibition') fail('ERR_CONTRACT_UNKNOWN_TERM', at, 'spatial', 'spatial is not allowed in a prohibition');
    if (!topLevel) fail('ERR_CONTRACT_MALFORMED', at, 'spatial', 'a spatial constraint must sit directly in the rule');
    if (this.area) fail('ERR_CONTRACT_MALFORMED', at, 'spatial', 'a rule has at most one spatial constraint');
    const compiled = compileArea(right);
    if ('problem' in compiled) {
      // Placed at the position, ring or member at fault inside the area.
      const here = { ...at, pointer: `${at.pointer ?? ''}/rightOperand${jsonPointer(compiled.path)}` };
      fail('ERR_CONTRACT_BAD_VALUE', here, 'spatial', `not a usable area: ${compiled.problem}`, compiled.hint === undefined ? undefined : { hint: compiled.hint });
    }
    this.area = compiled.area;
  }
}

/** Reads the `constraint` member of a rule (absent means no constraint). */
export function readConstraints(raw: unknown, at: ReadContext, scope: ConstraintScope): ReadConstraints {
  const reader = new ConstraintReader(scope);
  const constraints: Constraint[] = [];
  for (const [c, here] of located(raw, readOptionalList(raw, at, 'constraint'), at)) {
    const compiled = attempt(here, () => reader.read(c, true, here));
    if (compiled) constraints.push(compiled);
  }
  return { constraints, area: reader.area, hasCount: reader.hasCount };
}
