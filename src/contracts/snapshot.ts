/**
 * Compiles a set of contracts into an immutable, indexed snapshot. Rules are filed by
 * action, then by who they are for (a party of one issuer, a role, or anybody), then by
 * entity type, and permissions also by the purposes that can meet them, so decide() only
 * ever looks at rules that can concern the caller and the request. snapshotWith makes the
 * snapshot of one change from the one before it, sharing every bucket the change does not
 * touch.
 */
import { compileContract } from './compile-contract.js';
import { ContractError } from './errors.js';
import type { TermExpander } from './expand.js';
import type { PartyNames } from './parties.js';
import { placeContract, type ApiPlacement } from './namespace.js';
import type { AssigneeBucket, AssigneeIndex, CompiledContract, PolicySnapshot, Rule, RuleIndex, TypeBucket } from './model.js';
import type { ContractAction } from './vocabulary.js';

export interface ContractInput {
  /** File name or admin API id, for error messages. */
  source: string;
  doc: unknown;
  /** Expands the names of this document (built from its `ngsi:context`). */
  expand: TermExpander;
  /** Set for a contract made through the admin API: whose it is (namespace.ts). */
  api?: ApiPlacement;
}

interface MutableBucket {
  byType: Map<string, Rule[]>;
  anyType: Rule[];
  all: Rule[];
  open: MutableBucket | undefined;
  byPurpose: Map<string, MutableBucket>;
  rank: Map<Rule, number>;
}

interface MutableAssigneeIndex {
  anybody: MutableBucket | undefined;
  parties: Map<string, Map<string, MutableBucket>>;
  roles: Map<string, MutableBucket>;
}

const newBucket = (): MutableBucket => ({ byType: new Map(), anyType: [], all: [], open: undefined, byPurpose: new Map(), rank: new Map() });

function bucketIn(map: Map<string, MutableBucket>, key: string): MutableBucket {
  let b = map.get(key);
  if (!b) map.set(key, (b = newBucket()));
  return b;
}

/** The buckets a rule goes into: one per (issuer, party) and role it names, or anybody's. */
function bucketsFor(rule: Rule, index: MutableAssigneeIndex): MutableBucket[] {
  if (rule.assignee === null) return [(index.anybody ??= newBucket())];
  const out: MutableBucket[] = [];
  for (const [iss, ids] of rule.assignee.parties) {
    let byId = index.parties.get(iss);
    if (!byId) index.parties.set(iss, (byId = new Map<string, MutableBucket>()));
    for (const id of ids) out.push(bucketIn(byId, id));
  }
  for (const r of rule.assignee.roles) out.push(bucketIn(index.roles, r));
  return out;
}

function fileByType(bucket: MutableBucket, rule: Rule): void {
  bucket.all.push(rule);
  if (rule.types === null) {
    bucket.anyType.push(rule);
    return;
  }
  for (const type of rule.types) {
    const list = bucket.byType.get(type);
    if (list) list.push(rule);
    else bucket.byType.set(type, [rule]);
  }
}

/**
 * The purpose IRIs under which a permission can apply: those its first purpose
 * constraint allows, or is met by (a declared purpose meets it when the purpose or a
 * broader one is listed). Undefined when it asks for no purpose, or a prohibition, which
 * binds whatever purpose is declared.
 */
export function purposeGate(rule: Rule): ReadonlySet<string> | undefined {
  if (rule.kind !== 'permission') return undefined;
  for (const c of rule.constraints) {
    if (c.kind === 'purpose' && !c.binding) return c.broader.size === 0 ? c.allowed : new Set([...c.allowed, ...c.broader]);
  }
  return undefined;
}

function file(bucket: MutableBucket, rule: Rule): void {
  bucket.rank.set(rule, bucket.all.length);
  fileByType(bucket, rule);
  const gate = purposeGate(rule);
  if (gate === undefined) fileByType((bucket.open ??= newBucket()), rule);
  else for (const purpose of gate) fileByType(bucketIn(bucket.byPurpose, purpose), rule);
}

const EMPTY_BUCKET: TypeBucket = Object.freeze({ byType: new Map(), anyType: [], all: [] });

function typeBucket(b: MutableBucket | undefined): TypeBucket {
  return b === undefined ? EMPTY_BUCKET : { byType: b.byType, anyType: b.anyType, all: b.all };
}

function assigneeBucket(b: MutableBucket): AssigneeBucket {
  return {
    ...typeBucket(b),
    open: typeBucket(b.open),
    byPurpose: new Map([...b.byPurpose].map(([purpose, part]) => [purpose, typeBucket(part)])),
    rank: b.rank,
  };
}

function buildIndex(rules: readonly Rule[]): RuleIndex {
  const index = new Map<ContractAction, MutableAssigneeIndex>();
  for (const rule of rules) {
    for (const action of rule.actions) {
      let byAssignee = index.get(action);
      if (!byAssignee) index.set(action, (byAssignee = { anybody: undefined, parties: new Map(), roles: new Map() }));
      for (const bucket of bucketsFor(rule, byAssignee)) file(bucket, rule);
    }
  }
  const frozen = (m: Map<string, MutableBucket>): Map<string, AssigneeBucket> => new Map([...m].map(([k, b]) => [k, assigneeBucket(b)]));
  return new Map([...index].map(([action, a]) => [action, {
    anybody: a.anybody && assigneeBucket(a.anybody),
    parties: new Map([...a.parties].map(([iss, byId]) => [iss, frozen(byId)])),
    roles: frozen(a.roles),
  }]));
}

/** Builds a snapshot from already compiled contracts (keys must be distinct). */
export function snapshotOf(contracts: readonly CompiledContract[]): PolicySnapshot {
  const clash = duplicateUids(contracts)[0];
  if (clash) throw clash;
  const byKey = new Map(contracts.map((c) => [c.key, c]));
  return Object.freeze({
    revision: 0,
    contracts: byKey,
    permissions: buildIndex(contracts.flatMap((c) => c.permissions)),
    prohibitions: buildIndex(contracts.flatMap((c) => c.prohibitions)),
  });
}

type Slot = { kind: 'anybody' } | { kind: 'party'; issuer: string; id: string } | { kind: 'role'; role: string };

/** The buckets of one action a rule is filed in, as slots (bucketsFor, without making them). */
function slotsOf(rule: Rule): Slot[] {
  if (rule.assignee === null) return [{ kind: 'anybody' }];
  const out: Slot[] = [];
  for (const [issuer, ids] of rule.assignee.parties) for (const id of ids) out.push({ kind: 'party', issuer, id });
  for (const role of rule.assignee.roles) out.push({ kind: 'role', role });
  return out;
}

const slotKey = (s: Slot): string => (s.kind === 'anybody' ? 'a' : s.kind === 'role' ? `r\u0000${s.role}` : `p\u0000${s.issuer}\u0000${s.id}`);

function bucketAt(a: AssigneeIndex | undefined, s: Slot): AssigneeBucket | undefined {
  if (a === undefined) return undefined;
  if (s.kind === 'anybody') return a.anybody;
  if (s.kind === 'role') return a.roles.get(s.role);
  return a.parties.get(s.issuer)?.get(s.id);
}

/** A bucket of these rules, in this order, as buildIndex files them; undefined for none. */
function bucketOf(rules: readonly Rule[]): AssigneeBucket | undefined {
  if (rules.length === 0) return undefined;
  const b = newBucket();
  for (const rule of rules) file(b, rule);
  return assigneeBucket(b);
}

/**
 * Where contract `key`'s rules go in a bucket that holds `kept` (the others' rules, in
 * order), given where its old rules were (`was`: their index among `kept`, or -1).
 */
type Placement = (kept: readonly Rule[], was: number) => number;

/** The index with contract `key`'s rules `before` replaced by `after`, only the buckets they touch rebuilt. */
function indexWith(index: RuleIndex, key: string, before: readonly Rule[], after: readonly Rule[], place: Placement): RuleIndex {
  const touched = new Map<ContractAction, Map<string, Slot>>();
  for (const rule of [...before, ...after]) {
    for (const action of rule.actions) {
      let slots = touched.get(action);
      if (!slots) touched.set(action, (slots = new Map<string, Slot>()));
      for (const slot of slotsOf(rule)) slots.set(slotKey(slot), slot);
    }
  }
  const out = new Map(index);
  for (const [action, slots] of touched) {
    const old = index.get(action);
    let anybody = old?.anybody;
    const parties = new Map(old?.parties ?? []);
    const roles = new Map(old?.roles ?? []);
    for (const slot of slots.values()) {
      const all = bucketAt(old, slot)?.all ?? [];
      const kept = all.filter((r) => r.contract !== key);
      const first = all.findIndex((r) => r.contract === key);
      const mine = after.filter((r) => r.actions.has(action) && slotsOf(r).some((s) => slotKey(s) === slotKey(slot)));
      const at = mine.length === 0 ? 0 : place(kept, first);
      const bucket = bucketOf([...kept.slice(0, at), ...mine, ...kept.slice(at)]);
      if (slot.kind === 'anybody') anybody = bucket;
      else if (slot.kind === 'role') {
        if (bucket) roles.set(slot.role, bucket);
        else roles.delete(slot.role);
      } else {
        const byId = new Map(parties.get(slot.issuer) ?? []);
        if (bucket) byId.set(slot.id, bucket);
        else byId.delete(slot.id);
        if (byId.size > 0) parties.set(slot.issuer, byId);
        else parties.delete(slot.issuer);
      }
    }
    if (anybody === undefined && parties.size === 0 && roles.size === 0) out.delete(action);
    else out.set(action, { anybody, parties, roles });
  }
  return out;
}

/**
 * The snapshot with one contract put in (`next`, under its key) or taken out (undefined
 * for `key`): what snapshotOf builds from the same contracts in the same order (one that
 * replaces another keeps its place, a new one comes last), made by rebuilding only the
 * buckets the old and new rules are filed in, so that a change costs about the same with
 * ten thousand contracts in force as with ten.
 */
export function snapshotWith(base: PolicySnapshot, key: string, next: CompiledContract | undefined): PolicySnapshot {
  if (next !== undefined && next.key !== key) throw new Error(`contract key ${next.key} put under ${key}`);
  const previous = base.contracts.get(key);
  if (previous === undefined && next === undefined) return base;
  const contracts = new Map(base.contracts);
  if (next === undefined) contracts.delete(key);
  else contracts.set(key, next);
  // A contract's rules are together in each bucket, in the order of the contracts: a new
  // contract's go last; a replaced one's where its old ones were, else before the first
  // rule of a contract that comes after it (found by walking the order once, on demand).
  let later: Set<string> | undefined;
  const place: Placement = (kept, was) => {
    if (was !== -1) return was;
    if (previous === undefined) return kept.length;
    if (later === undefined) {
      later = new Set();
      let seen = false;
      for (const k of contracts.keys()) {
        if (seen) later.add(k);
        else seen = k === key;
      }
    }
    const at = kept.findIndex((r) => later?.has(r.contract));
    return at === -1 ? kept.length : at;
  };
  return Object.freeze({
    revision: base.revision,
    contracts,
    permissions: indexWith(base.permissions, key, previous?.permissions ?? [], next?.permissions ?? [], place),
    prohibitions: indexWith(base.prohibitions, key, previous?.prohibitions ?? [], next?.prohibitions ?? [], place),
  });
}

/** A contract whose uid (key) an earlier one already has, once for each. */
export function duplicateUids(contracts: readonly CompiledContract[]): ContractError[] {
  const byKey = new Map<string, CompiledContract>();
  const out: ContractError[] = [];
  for (const c of contracts) {
    const first = byKey.get(c.key);
    if (first) out.push(new ContractError('ERR_CONTRACT_DUPLICATE_UID', { source: c.source }, c.uid, `contract uid already used by ${first.source}`));
    else byKey.set(c.key, c);
  }
  return out;
}

/**
 * Validates and compiles every document; the first problem throws a ContractError. Party
 * names resolve against `parties`, the trusted issuers.
 */
export function compileContracts(docs: readonly ContractInput[], parties: PartyNames): PolicySnapshot {
  return snapshotOf(docs.map((d) => placeContract(compileContract(d.source, d.doc, d.expand, parties), d.api)));
}

/** A snapshot without contracts: every request is denied. */
export const EMPTY_SNAPSHOT: PolicySnapshot = snapshotOf([]);
