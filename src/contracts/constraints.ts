/**
 * Reads a rule's `constraint` list into the compiled constraint tree. Spatial constraints
 * are lifted out to the rule (they produce an obligation rather than a yes/no), so they
 * are accepted only at the top level of a permission, at most once.
 */
import { purposeAncestors, purposeIri } from './purposes.js';
import { COUNT_SCOPES, type Area, type Comparison, type Constraint, type CountScope } from './model.js';
import {
  fail, isObject, profileKey, readKeys, readObject, readOptionalList, readString, readStrings, readTerm, requireOperator, unwrap,
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

  constructor(private readonly at: ReadContext, private readonly scope: ConstraintScope) {}

  read(raw: unknown, topLevel: boolean): Constraint | null {
    const obj = readObject(raw, this.at, 'constraint');
    const logical = Object.keys(obj).map(canonicalKey).filter((k) => k === 'and' || k === 'or' || k === 'xone');
    if (logical.length > 0) return this.readLogical(obj, logical);
    return this.readAtomic(readKeys(obj, CONSTRAINT_KEYS, this.at, canonicalKey), topLevel);
  }

  private readLogical(obj: JsonObject, names: string[]): Constraint {
    if (names.length !== 1) fail('ERR_CONTRACT_MALFORMED', this.at, names.join(','), 'a logical constraint has exactly one of and, or, xone');
    const fields = readKeys(obj, LOGICAL_KEYS, this.at, canonicalKey);
    const kind = names[0] as LogicalOperator;
    let operands = fields[kind];
    if (isObject(operands) && '@list' in operands) operands = operands['@list'];
    if (!Array.isArray(operands) || operands.length < 2) {
      fail('ERR_CONTRACT_MALFORMED', this.at, kind, `${kind} takes an array of at least two constraints`);
    }
    const parts = operands.map((c) => {
      const part = this.read(c, false);
      if (part === null) fail('ERR_CONTRACT_MALFORMED', this.at, 'spatial', 'a spatial constraint must sit directly in the rule');
      return part;
    });
    return { kind, parts };
  }

  private readAtomic(c: JsonObject, topLevel: boolean): Constraint | null {
    const left = readTerm(CONSTRAINT_OPERANDS, c['leftOperand'], this.at, 'left operand');
    const op = readTerm(OPERATORS, c['operator'], this.at, 'operator');
    const right = c['rightOperand'];
    if (right === undefined) fail('ERR_CONTRACT_MALFORMED', this.at, left, 'constraint without rightOperand');
    if (c['period'] !== undefined && left !== 'count') fail('ERR_CONTRACT_UNKNOWN_TERM', this.at, 'ngsi:period', 'period applies to count only');
    if (c['countScope'] !== undefined && left !== 'count') fail('ERR_CONTRACT_UNKNOWN_TERM', this.at, 'ngsi:countScope', 'countScope applies to count only');
    switch (left) {
      case 'dateTime': {
        requireOperator(op, ['lt', 'lteq', 'gt', 'gteq', 'eq', 'neq'], this.at, left);
        const text = readString(right, this.at, 'dateTime');
        const at = parseDateTime(text);
        if (at === undefined) fail('ERR_CONTRACT_BAD_VALUE', this.at, text, 'not an ISO 8601 date-time with a time zone');
        return { kind: 'dateTime', op: op as Comparison, at };
      }
      case 'purpose': {
        requireOperator(op, ['eq', 'isA', 'isAnyOf', 'exactly'], this.at, left);
        const allowed = new Set<string>();
        for (const p of readStrings(right, op === 'exactly' ? !Array.isArray(unwrap(right)) : op !== 'isAnyOf', this.at, 'purpose')) {
          const iri = purposeIri(p);
          if (iri === undefined) fail('ERR_CONTRACT_UNKNOWN_TERM', this.at, p, 'not a DPV purpose known to the profile');
          allowed.add(iri);
        }
        const broader = new Set<string>();
        const binding = this.scope.kind === 'prohibition';
        if (binding) for (const p of allowed) for (const a of purposeAncestors(p)) broader.add(a);
        return { kind: 'purpose', allowed, broader, exact: op === 'exactly', binding };
      }
      case 'recipient':
        requireOperator(op, ['eq', 'neq', 'isAnyOf'], this.at, left);
        return {
          kind: left,
          allowed: readParties(readStrings(right, op !== 'isAnyOf', this.at, left), this.at),
          negated: op === 'neq',
          binding: this.scope.kind === 'prohibition',
        };
      case 'role':
        requireOperator(op, ['eq', 'neq', 'isAnyOf'], this.at, left);
        return { kind: left, allowed: new Set(readStrings(right, op !== 'isAnyOf', this.at, left)), negated: op === 'neq' };
      case 'count':
        return this.readCount(op, right, c['period'], c['countScope']);
      case 'elapsedTime': {
        requireOperator(op, ['lteq'], this.at, left);
        const text = readString(right, this.at, 'elapsedTime');
        const d = parseDuration(text);
        if (!d) fail('ERR_CONTRACT_BAD_VALUE', this.at, text, 'not an ISO 8601 duration');
        const from = this.scope.validFrom;
        if (from === undefined) fail('ERR_CONTRACT_MALFORMED', this.at, 'elapsedTime', 'elapsedTime needs ngsi:validFrom on the rule or the contract');
        return { kind: 'elapsedTime', from, until: addDuration(from, d) };
      }
      case 'spatial':
        this.readArea(op, right, topLevel);
        return null;
    }
  }

  private readCount(op: Operator, right: unknown, period: unknown, scopeTerm: unknown): Constraint {
    requireOperator(op, ['lteq'], this.at, 'count');
    if (this.scope.kind === 'prohibition') fail('ERR_CONTRACT_UNKNOWN_TERM', this.at, 'count', 'count is not allowed in a prohibition');
    const n = unwrap(right);
    const max = typeof n === 'string' && /^\d+$/.test(n) ? Number(n) : n;
    if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) {
      fail('ERR_CONTRACT_BAD_VALUE', this.at, String(n), 'count takes a non-negative integer');
    }
    this.hasCount = true;
    const scope = scopeTerm === undefined ? 'caller' : readString(scopeTerm, this.at, 'ngsi:countScope') as CountScope;
    if (!COUNT_SCOPES.includes(scope)) fail('ERR_CONTRACT_BAD_VALUE', this.at, scope, `countScope is one of ${COUNT_SCOPES.join(', ')}`);
    if (scope === 'role' && !this.scope.assignedToRoles) fail('ERR_CONTRACT_BAD_VALUE', this.at, scope, 'a count shared per role needs a rule assigned to roles (a PartyCollection)');
    if (period === undefined) return { kind: 'count', max, periodMs: null, period: 'total', scope };
    const text = readString(period, this.at, 'ngsi:period');
    const d = parseDuration(text);
    if (!d) fail('ERR_CONTRACT_BAD_VALUE', this.at, text, 'not an ISO 8601 duration');
    if (d.years !== 0 || d.months !== 0) fail('ERR_CONTRACT_BAD_VALUE', this.at, text, 'a count period must have a fixed length (weeks, days, hours, minutes, seconds)');
    return { kind: 'count', max, periodMs: d.fixedMs, period: text, scope };
  }

  private readArea(op: Operator, right: unknown, topLevel: boolean): void {
    requireOperator(op, ['within'], this.at, 'spatial');
    if (this.scope.kind === 'prohibition') fail('ERR_CONTRACT_UNKNOWN_TERM', this.at, 'spatial', 'spatial is not allowed in a prohibition');
    if (!topLevel) fail('ERR_CONTRACT_MALFORMED', this.at, 'spatial', 'a spatial constraint must sit directly in the rule');
    if (this.area) fail('ERR_CONTRACT_MALFORMED', this.at, 'spatial', 'a rule has at most one spatial constraint');
    const compiled = compileArea(right);
    if ('problem' in compiled) fail('ERR_CONTRACT_BAD_VALUE', this.at, 'spatial', `not a usable area: ${compiled.problem}`);
    this.area = compiled.area;
  }
}

/** Reads the `constraint` member of a rule (absent means no constraint). */
export function readConstraints(raw: unknown, at: ReadContext, scope: ConstraintScope): ReadConstraints {
  const reader = new ConstraintReader(at, scope);
  const constraints: Constraint[] = [];
  for (const c of readOptionalList(raw, at, 'constraint')) {
    const compiled = reader.read(c, true);
    if (compiled) constraints.push(compiled);
  }
  return { constraints, area: reader.area, hasCount: reader.hasCount };
}
