/**
 * Who sees what: for one caller at one moment, per entity type, what each action of the
 * profile permits (the attributes), on which conditions, and which rules say so.
 *
 * Derived from decide() itself, never from a second reading of the contracts: every cell
 * is the decision on a generated request (a query or write naming that type, then the
 * same with each attribute a contract names, and one attribute none names, which stands
 * for all the others). So an explanation cannot claim what the gateway would not do.
 * What depends on the request rather than on the caller stays a condition: the areas an
 * entity must lie in, how many requests a count allows, the entity ids a rule is limited
 * to, a consent. The counters are taken as unspent; time is fixed by `at`.
 * Pure: no I/O, no clock.
 */
import type { Area, Constraint, PolicySnapshot, Rule } from '../contracts/model.js';
import { CONTRACT_ACTIONS, type ContractAction } from '../contracts/vocabulary.js';
import type { Operation } from '../ngsi/types.js';
import { decide, type DecisionSnapshot } from './decision.js';
import { EMPTY_SCOPE, FULL_SCOPE } from './scope.js';
import type { AttributeScope, Considered, Decision, PolicyRequest, RuleRef, Subject } from './types.js';

/** Who is asking, as a verified token (and a declared recipient) would say. */
export interface ExplainCaller {
  subject: Subject;
  /** Declared purpose, an expanded IRI. */
  purpose?: string;
  /** Declared recipient: a party of the caller's issuer. */
  recipient?: string;
  /** The tenant explained; undefined: the default tenant. */
  tenant?: string;
}

export interface ExplainOptions {
  /** Epoch ms the decisions are made at. */
  at: number;
  /** Only these entity types (and no row for other types): a provider sees its own. */
  onlyTypes?: ReadonlySet<string>;
}

/** A rule behind a cell: its contract, its place in it, and its author's words. */
export interface RuleNote extends RuleRef {
  kind: 'permission' | 'prohibition';
  /** Position among the contract's permissions (or prohibitions), from 0. */
  index: number;
  description?: string;
  /** Its constraints, each in one line (time, purpose, recipient and roles already judged for this caller). */
  constraints: string[];
}

/** What the cell's permit depends on besides the caller. */
export type Condition =
  /** Entities are shown (or written) only where their location lies in one of the areas. */
  | { kind: 'within'; areas: ReadonlyArray<Area>; rules: RuleNote[] }
  /** At most `max` permitted requests per `period`, counted per `scope`. */
  | { kind: 'count'; max: number; period: string; scope: string; rule: RuleNote }
  /** A permission that applies only to a request naming its entities by id, with what it grants. */
  | { kind: 'entityIds'; ids: string[] | null; pattern: string | null; attributes: AttributeScope; rule: RuleNote }
  /** A permission needing the data subject's consent: each entity is shown only as far as the person it is about consented. */
  | { kind: 'consent'; rule: RuleNote };

export interface ExplainCell {
  action: ContractAction;
  effect: 'permit' | 'deny';
  /** decide()'s reason for a request of this action naming the type. */
  reason: string;
  /** What is permitted (shown, or written); the empty scope on a deny. */
  attributes: AttributeScope;
  /** Modify and delete: whether the whole entity may be replaced or deleted. */
  wholeEntity?: boolean;
  conditions: Condition[];
  /** Duties the gateway fulfils: `log` (detailed audit records). */
  duties: string[];
  /** Permissions the permit rests on. */
  rules: RuleNote[];
  /** Prohibitions that apply to the caller here (the deny, or what they take away). */
  prohibitions: RuleNote[];
  /** Permissions addressed to the caller that do not apply, and why (the dry run's outcomes). */
  notApplied: Array<RuleNote & { outcome: string }>;
}

export interface ExplainRow {
  /** Expanded IRI; null for every entity type no contract names. */
  type: string | null;
  cells: ExplainCell[];
}

export interface Explanation {
  at: number;
  tenant: string | undefined;
  contractRevision?: number;
  rows: ExplainRow[];
}

/** Stand-ins no contract can name: a type for "any other type", an attribute for "any other attribute". */
const OTHER_TYPE = 'urn:mimtrust:explain:any-other-type';
const OTHER_ATTRIBUTE = 'urn:mimtrust:explain:any-other-attribute';

/** The request each action is explained by: one that names the type and the attributes it touches. */
const PARTIAL: Readonly<Record<ContractAction, Operation>> = {
  read: 'entity.query',
  readTemporal: 'temporal.query',
  subscribe: 'subscription.create',
  create: 'entity.create',
  modify: 'attrs.update',
  delete: 'attr.delete',
};
const WHOLE: Partial<Record<ContractAction, Operation>> = { modify: 'entity.replace', delete: 'entity.delete' };

/** Every rule by its contract key and uid (a provider's narrowed rule has several parts). */
function rulesByRef(snap: PolicySnapshot): Map<string, { rule: Rule; index: number }> {
  const out = new Map<string, { rule: Rule; index: number }>();
  for (const c of snap.contracts.values()) {
    for (const list of [c.permissions, c.prohibitions]) {
      let index = -1;
      let last: string | undefined;
      for (const r of list) {
        // Parts of one narrowed rule sit next to each other and share its uid.
        if (r.uid !== last) index++;
        last = r.uid;
        const key = `${r.kind}\u0000${r.contract}\u0000${r.uid}`;
        if (!out.has(key)) out.set(key, { rule: r, index });
      }
    }
  }
  return out;
}

function scopeNames(s: AttributeScope | null, into: Set<string>): void {
  if (s === null) return;
  for (const a of s.kind === 'all' ? s.except : s.attrs) into.add(a);
}

/** Every type and attribute some rule names. */
function namedInRules(snap: PolicySnapshot): { types: Set<string>; attrs: Set<string> } {
  const types = new Set<string>();
  const attrs = new Set<string>();
  for (const c of snap.contracts.values()) {
    for (const r of [...c.permissions, ...c.prohibitions]) {
      if (r.types !== null) for (const t of r.types) types.add(t);
      scopeNames(r.attrs, attrs);
    }
  }
  return { types, attrs };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** One line per constraint, in the profile's own terms. */
export function describeConstraint(c: Constraint): string {
  switch (c.kind) {
    case 'dateTime': return `dateTime ${c.op} ${iso(c.at)}`;
    case 'elapsedTime': return `from ${iso(c.from)} until ${iso(c.until)}`;
    case 'purpose': return `purpose ${c.exact ? 'eq' : 'isA'} ${[...c.allowed].sort().join(', ')}`;
    case 'recipient': return `recipient ${c.negated ? 'none of' : 'one of'} ${[...c.allowed].map(([iss, ids]) => [...ids].map((id) => `${id} (${iss})`).join(', ')).join(', ')}`;
    case 'role': return `role ${c.negated ? 'none of' : 'one of'} ${[...c.allowed].sort().join(', ')}`;
    case 'count': return `count at most ${c.max} per ${c.period} (${c.scope})`;
    case 'and':
    case 'or':
    case 'xone': return `${c.kind}(${c.parts.map(describeConstraint).join('; ')})`;
  }
}

function countsIn(cs: readonly Constraint[], out: Array<Extract<Constraint, { kind: 'count' }>>): void {
  for (const c of cs) {
    if (c.kind === 'count') out.push(c);
    else if (c.kind === 'and' || c.kind === 'or' || c.kind === 'xone') countsIn(c.parts, out);
  }
}

class Explainer {
  private readonly rules: Map<string, { rule: Rule; index: number }>;
  private readonly attrs: string[];
  private n = 0;

  constructor(private readonly caller: ExplainCaller, private readonly snap: DecisionSnapshot, contracts: PolicySnapshot, private readonly at: number, attrs: Set<string>) {
    this.rules = rulesByRef(contracts);
    this.attrs = [...attrs].sort();
  }

  private request(action: ContractAction, operation: Operation, type: string, attrs: string[]): PolicyRequest {
    const { subject, purpose, recipient, tenant } = this.caller;
    const req: PolicyRequest = {
      action, operation, tenant, subject,
      entityIds: [], idPatterns: [], types: [type], attrs, filterReads: [], typeUnknown: false, now: this.at,
    };
    if (purpose !== undefined) req.purpose = purpose;
    if (recipient !== undefined) req.recipient = { issuer: subject.issuer, id: recipient };
    return req;
  }

  private decide(req: PolicyRequest, considered?: Considered[]): Decision {
    const input = { request: req, decisionId: `explain-${++this.n}`, ...(considered ? { considered } : {}) };
    return decide(input, this.snap);
  }

  found(ref: RuleRef, kind: 'permission' | 'prohibition'): { rule: Rule; index: number } | undefined {
    return this.rules.get(`${kind}\u0000${ref.contract}\u0000${ref.rule}`);
  }

  note(ref: RuleRef, kind: 'permission' | 'prohibition'): RuleNote {
    const found = this.found(ref, kind);
    const note: RuleNote = { ...ref, kind, index: found?.index ?? -1, constraints: (found?.rule.constraints ?? []).map(describeConstraint) };
    if (found?.rule.description !== undefined) note.description = found.rule.description;
    return note;
  }

  /** The scope permitted, probed one attribute at a time: each named one, and one standing for the rest. */
  private probeScope(action: ContractAction, operation: Operation, type: string): AttributeScope {
    const permits = (a: string): boolean => this.decide(this.request(action, operation, type, [a])).effect === 'permit';
    const named = this.attrs.filter(permits);
    if (permits(OTHER_ATTRIBUTE)) return { kind: 'all', except: new Set(this.attrs.filter((a) => !named.includes(a))) };
    return named.length === 0 ? EMPTY_SCOPE : { kind: 'only', attrs: new Set(named) };
  }

  cell(action: ContractAction, type: string): ExplainCell {
    const considered: Considered[] = [];
    const base = this.decide(this.request(action, PARTIAL[action], type, []), considered);
    const cell: ExplainCell = {
      action, effect: base.effect, reason: base.reason, attributes: EMPTY_SCOPE,
      conditions: [], duties: [], rules: [], prohibitions: [], notApplied: [],
    };
    const prohibitions = new Map<string, RuleNote>();
    for (const c of considered) {
      if (c.kind === 'prohibition') {
        if (c.outcome === 'applied') prohibitions.set(`${c.rule.contract}\u0000${c.rule.rule}`, this.note(c.rule, 'prohibition'));
        continue;
      }
      if (c.outcome === 'applied' || cell.notApplied.some((n) => n.contract === c.rule.contract && n.rule === c.rule.rule)) continue;
      const note = this.note(c.rule, 'permission');
      cell.notApplied.push({ ...note, outcome: c.outcome });
      const rule = this.found(c.rule, 'permission')?.rule;
      if (c.outcome === 'entity_ids' && rule?.ids) {
        cell.conditions.push({
          kind: 'entityIds', ids: rule.ids.ids === null ? null : [...rule.ids.ids].sort(), pattern: rule.ids.pattern?.source ?? null,
          attributes: rule.attrs ?? FULL_SCOPE, rule: note,
        });
      } else if (c.outcome === 'consent') cell.conditions.push({ kind: 'consent', rule: note });
    }
    cell.prohibitions = [...prohibitions.values()];
    if (base.effect === 'deny') {
      // The prohibition that refused is named by the decision itself.
      for (const r of base.rules) if (!prohibitions.has(`${r.contract}\u0000${r.rule}`)) cell.prohibitions.push(this.note(r, 'prohibition'));
      return cell;
    }
    cell.rules = base.rules.map((r) => this.note(r, 'permission'));
    cell.attributes = this.probeScope(action, PARTIAL[action], type);
    const whole = WHOLE[action];
    if (whole !== undefined) cell.wholeEntity = this.decide(this.request(action, whole, type, [])).effect === 'permit';
    const areas = base.obligations.within?.get(type);
    if (areas !== undefined && areas.length > 0) {
      const keys = new Set(areas.map((a) => a.key));
      const from = cell.rules.filter((n) => {
        const area = this.found(n, 'permission')?.rule.area;
        return area !== null && area !== undefined && keys.has(area.key);
      });
      cell.conditions.unshift({ kind: 'within', areas, rules: from });
    }
    for (const note of cell.rules) {
      const rule = this.found(note, 'permission')?.rule;
      if (rule === undefined) continue;
      const counts: Array<Extract<Constraint, { kind: 'count' }>> = [];
      countsIn(rule.constraints, counts);
      for (const c of counts) cell.conditions.push({ kind: 'count', max: c.max, period: c.period, scope: c.scope, rule: note });
    }
    if (base.obligations.auditLevel === 'detailed') cell.duties.push('log');
    return cell;
  }

  row(type: string | null): ExplainRow {
    return { type, cells: CONTRACT_ACTIONS.map((a) => this.cell(a, type ?? OTHER_TYPE)) };
  }
}

/** True when some rule behind the row, or addressed to the caller and looked at, names the type. */
function concernsCaller(row: ExplainRow, ex: Explainer): boolean {
  const names = (n: RuleNote): boolean => ex.found(n, n.kind)?.rule.types?.has(row.type as string) ?? false;
  return row.cells.some((c) => c.rules.some(names) || c.prohibitions.some(names) || c.notApplied.some(names));
}

/**
 * What the caller may do with each entity type at `at`: a row per type some contract
 * addressed to the caller names (sorted by IRI), and one for every other type (when not
 * limited to some types). Each cell is decide()'s own answer.
 */
export function explain(caller: ExplainCaller, snapshot: DecisionSnapshot, opts: ExplainOptions): Explanation {
  const contracts = snapshot.contracts;
  const out: Explanation = { at: opts.at, tenant: caller.tenant, rows: [] };
  if (contracts === undefined) return out;
  out.contractRevision = contracts.revision;
  const { types, attrs } = namedInRules(contracts);
  // Counters unspent: a count is a condition of the cell, not a state of the moment.
  const ex = new Explainer(caller, { ...snapshot, counters: new Map() }, contracts, opts.at, attrs);
  for (const t of [...types].sort()) {
    if (opts.onlyTypes !== undefined && !opts.onlyTypes.has(t)) continue;
    const row = ex.row(t);
    if (concernsCaller(row, ex)) out.rows.push(row);
  }
  if (opts.onlyTypes === undefined) out.rows.push(ex.row(null));
  return out;
}
