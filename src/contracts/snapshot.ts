/**
 * Compiles a set of contracts into an immutable, indexed snapshot. Rules are filed by
 * action, then by who they are for (a party of one issuer, a role, or anybody), then by
 * entity type, and permissions also by the purposes that can meet them, so decide() only
 * ever looks at rules that can concern the caller and the request.
 */
import { compileContract } from './compile-contract.js';
import { ContractError } from './errors.js';
import type { TermExpander } from './expand.js';
import type { PartyNames } from './parties.js';
import { placeContract, type ApiPlacement } from './namespace.js';
import type { AssigneeBucket, CompiledContract, PolicySnapshot, Rule, RuleIndex, TypeBucket } from './model.js';
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
