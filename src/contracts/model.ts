/**
 * Contracts after validation: plain immutable data with every name expanded and every
 * literal parsed, shaped for decide() rather than for authors.
 */
import type { ContractAction } from './vocabulary.js';
import type { IdPattern } from './regex.js';
import type { PartySet } from './parties.js';
import type { Area } from '../geo/index.js';

/** Which attributes of one entity type a rule covers: what a decision may let a caller see or change. */
export type AttributeScope =
  | { kind: 'all'; except: ReadonlySet<string> }
  | { kind: 'only'; attrs: ReadonlySet<string> };

export type Comparison = 'lt' | 'lteq' | 'gt' | 'gteq' | 'eq' | 'neq';

/** A constraint tree. Spatial constraints are not here: they live on the rule (`area`). */
export type Constraint =
  | { kind: 'dateTime'; op: Comparison; at: number }
  /**
   * Purposes the request's purpose must equal or be narrower than (`exact`: equal only).
   * In a prohibition (`binding`), `broader` also holds their ancestors: a request
   * declaring a broader purpose could cover the prohibited one, so the prohibition applies
   * to it too; and so does a request that declares no purpose, or one outside the table.
   */
  | { kind: 'purpose'; allowed: ReadonlySet<string>; broader: ReadonlySet<string>; exact: boolean; binding: boolean }
  /**
   * Parties by issuer (see parties.ts). `negated` (operator `neq`): holds when none of
   * `allowed` matches. In a prohibition (`binding`) the caller counts as a recipient next to
   * a declared one: declaring someone else never takes a caller out of a prohibition.
   */
  | { kind: 'recipient'; allowed: PartySet; negated: boolean; binding: boolean }
  | { kind: 'role'; allowed: ReadonlySet<string>; negated: boolean }
  /** At most `max` permitted requests per `periodMs` window (whole lifetime when null). */
  | { kind: 'count'; max: number; periodMs: number | null; period: string; scope: CountScope }
  /** Satisfied from `from` up to and including `until` (epoch ms). */
  | { kind: 'elapsedTime'; from: number; until: number }
  | { kind: 'and' | 'or' | 'xone'; parts: readonly Constraint[] };

/**
 * Who shares one count: each caller (issuer with client, else subject, else organisation),
 * each client, each organisation, everyone holding the same of the rule's assignee roles,
 * or everyone the rule reaches together.
 */
export type CountScope = 'caller' | 'client' | 'organisation' | 'role' | 'everyone';
export const COUNT_SCOPES: readonly CountScope[] = ['caller', 'client', 'organisation', 'role', 'everyone'];

export interface Assignee {
  /** Client ids, subjects or organisation DIDs named directly, by the issuer that may vouch for them. */
  parties: PartySet;
  roles: ReadonlySet<string>;
}

export interface EntityIdMatch {
  ids: ReadonlySet<string> | null;
  pattern: IdPattern | null;
}

/** An area the shown entities must lie in, compiled when the contract is loaded; `key` identifies equal areas across rules. */
export type { Area };

export interface Rule {
  /** The key of its contract in the snapshot (see CompiledContract.key). */
  contract: string;
  uid: string;
  /** The provider whose contract it is; null for the operator's. */
  provider: string | null;
  kind: 'permission' | 'prohibition';
  actions: ReadonlySet<ContractAction>;
  /** Expanded entity type IRIs; null when the rule has no type refinement. */
  types: ReadonlySet<string> | null;
  ids: EntityIdMatch | null;
  /**
   * Permission: the attributes granted. Prohibition: the attributes forbidden, or null
   * when the prohibition covers the whole entity.
   */
  attrs: AttributeScope | null;
  /** Tenants (the default tenant as `@default`); null means every tenant. */
  tenants: ReadonlySet<string> | null;
  /** Null means anybody authenticated. */
  assignee: Assignee | null;
  /** All must hold (the rule's constraint list is a conjunction). */
  constraints: readonly Constraint[];
  hasCount: boolean;
  area: Area | null;
  log: boolean;
  /**
   * Needs the consent of each entity's data subject (`ngsi:obtainConsent`): the rule
   * permits under a consent obligation (src/policy/consent.ts), and never without a
   * `dataSubject` to find that person by.
   */
  consent: boolean;
  /**
   * IRI of the attribute (Relationship or Property) whose value identifies the person an
   * entity is about (`ngsi:dataSubject`, on the permission or the whole contract); null
   * when none is declared.
   */
  dataSubject: string | null;
  /** The author's own words on what the rule is for; shown, never interpreted. */
  description?: string;
}

export interface CompiledContract {
  uid: string;
  /**
   * Unique in a snapshot: the uid for a file, `<provider>/<uid>` for a contract made
   * through the admin API (namespace.ts), so neither can take the other's place.
   */
  key: string;
  /** The provider whose contract it is; null for the operator's (files, and API contracts without providers). */
  provider: string | null;
  source: string;
  type: 'Set' | 'Offer' | 'Agreement';
  permissions: readonly Rule[];
  prohibitions: readonly Rule[];
  /**
   * Set when the contract is in force in its disabled form, because its remote
   * `ngsi:context` could not be retrieved: it has no permissions, and its prohibitions
   * still deny (fail closed). `cached`: they were built from the last stored copy of the
   * context. `widened`: with no copy, each one covers every entity type and the whole
   * entity, within its actions, assignees, tenants, entity ids and constraints.
   */
  disabled?: { reason: 'context_unavailable'; prohibitions: 'cached' | 'widened' };
}

/** Rules reachable by one action and one assignee key, split by entity type. */
export interface TypeBucket {
  byType: ReadonlyMap<string, readonly Rule[]>;
  /** Rules without a type refinement. */
  anyType: readonly Rule[];
  /** Every rule of the bucket, each once. */
  all: readonly Rule[];
}

/**
 * The rules of one assignee key (all of them, as a TypeBucket) and the same rules split by
 * the purpose they ask for, so that a permitted request only looks at the rules its
 * purpose can meet: with thousands of contracts for one widely held role, most ask for a
 * purpose other than the caller's.
 */
export interface AssigneeBucket extends TypeBucket {
  /** Rules that can apply whatever purpose is declared (every prohibition among them). */
  open: TypeBucket;
  /**
   * Permissions that apply only under some purposes (a purpose constraint of the rule
   * itself, not inside and/or/xone), filed under each purpose IRI that can meet it; a
   * request reaches those filed under its purpose and every broader one.
   */
  byPurpose: ReadonlyMap<string, TypeBucket>;
  /** Each rule's position in `all`: rules drawn from several parts are put back in that order. */
  rank: ReadonlyMap<Rule, number>;
}

/** The rules of one action, filed by who they are for. */
export interface AssigneeIndex {
  /** Rules without an assignee: anybody authenticated. */
  anybody: AssigneeBucket | undefined;
  /** By the issuer's exact `iss`, then client id, subject or organisation DID. */
  parties: ReadonlyMap<string, ReadonlyMap<string, AssigneeBucket>>;
  roles: ReadonlyMap<string, AssigneeBucket>;
}

/** action -> assignee -> entity type. A caller only looks at the buckets of its own ids and roles. */
export type RuleIndex = ReadonlyMap<ContractAction, AssigneeIndex>;

export interface PolicySnapshot {
  /**
   * Counts the snapshots a registry has put in force (0 for one built on its own), so an
   * audit record says which set of contracts a decision read.
   */
  readonly revision: number;
  readonly contracts: ReadonlyMap<string, CompiledContract>;
  readonly permissions: RuleIndex;
  readonly prohibitions: RuleIndex;
}
