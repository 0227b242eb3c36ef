/**
 * The policy decision point's contract: what it is asked (a PolicyRequest, every name an
 * expanded IRI) and what it answers (a Decision). decide() is pure: the caller passes the
 * clock and the current counter values in, and applies the obligations itself.
 */
import type { Action, Operation, FilterRead } from '../ngsi/types.js';
import type { Area, AttributeScope } from '../contracts/model.js';
import type { PartySet } from '../contracts/parties.js';

export interface Subject {
  /**
   * Exact `iss` of the token. The ids below mean something only as this issuer vouches
   * for them: contracts name parties per issuer, and counters are kept per issuer.
   */
  issuer: string;
  /** Token `sub`. */
  sub?: string;
  /** Token `client_id` (or `azp`). */
  clientId?: string;
  /** Organisation identifier (e.g. a DID) when the token names one. */
  organisation?: string;
  /** Roles from the configured token claim. */
  roles: readonly string[];
  /** SHA-256 thumbprint (base64url) of the mTLS client certificate, when there is one. */
  certThumbprint?: string;
  /** Tenants the token is limited to (its issuer's tenants claim), when it names any. */
  tenants?: string[];
}

/** A request as the PDP sees it: every entity type and attribute name is an expanded IRI. */
export interface PolicyRequest {
  action: Action;
  operation: Operation;
  tenant: string | undefined;
  subject: Subject;
  /** Declared purpose (expanded IRI, e.g. a W3C DPV purpose), from the token or a header. */
  purpose?: string;
  /** Declared recipient, when different from the subject: a party as the issuer named vouches for it. */
  recipient?: { issuer: string; id: string };
  entityIds: string[];
  idPatterns: string[];
  types: string[];
  attrs: string[];
  filterReads: Array<Omit<FilterRead, 'attr'> & { attr: string }>;
  /** True when the request names no type at all, so the response must be filtered by type. */
  typeUnknown: boolean;
  /** Epoch milliseconds: the decision's clock (decide() never reads the system clock). */
  now: number;
}

export type { AttributeScope };

/**
 * One consent the caller's token rests on, as the decision reads it: given and not
 * withdrawn (the caller looked that up); its expiry is checked against the request's `now`.
 */
export interface ConsentGrant {
  /** The consent record's id (urn:uuid). */
  id: string;
  /** The person it is from, as entities name them (the value of a data-subject attribute). */
  subject: string;
  /** Whom it is given to, as contract parties are: by issuer. */
  recipients: PartySet;
  /** DPV purpose IRIs it is given for; a narrower declared purpose is covered too. */
  purposes: ReadonlySet<string>;
  /** Entity type IRI -> the attributes it covers. */
  types: ReadonlyMap<string, AttributeScope>;
  /** Epoch ms from which it no longer holds; undefined: until withdrawn. */
  until?: number;
  /** Epoch ms it was given at: history from before is not covered. */
  from: number;
}

/** A span of time a consent covers, with the attributes it covers then. */
export interface ConsentWindow {
  /** Epoch ms, included. */
  from: number;
  /** Epoch ms, excluded; undefined: open. */
  until?: number;
  scope: AttributeScope;
}

/** How entities of one type are shown when their data subject's consent is needed. */
export interface ConsentType {
  /** IRI of the attribute whose value names the entity's data subject. */
  subject: string;
  /** What a consent may let through (the consent-bound permissions' scope, less prohibitions). */
  granted: AttributeScope;
  /** What permissions needing no consent show of every entity of the type; undefined: nothing. */
  free?: AttributeScope;
}

/**
 * The consent obligation: per entity, shown of a type in `types` is `free`, plus
 * `granted` cut to what its data subject's consents cover (`covered`); an entity whose
 * subject cannot be read, or whose types show nothing that way, is dropped.
 */
export interface ConsentObligation {
  types: ReadonlyMap<string, ConsentType>;
  /** Data subject -> type IRI -> the attributes its consents cover for this request. */
  covered: ReadonlyMap<string, ReadonlyMap<string, AttributeScope>>;
  /**
   * Data subject -> type IRI -> when its consents hold, each with what it covers: a
   * temporal answer shows an attribute instance only from inside one of them.
   */
  windows: ReadonlyMap<string, ReadonlyMap<string, readonly ConsentWindow[]>>;
  /** Ids of the consents that cover something, for the audit record. */
  consents: readonly string[];
}

/**
 * What the obligations ask the response to show: one set of fields, read by the filter
 * (filter/ViewExtras) and the decision alike.
 */
export interface ShownObligations {
  /**
   * What the response may show, per entity type IRI. An entity whose types are all absent
   * here is dropped; otherwise its attributes are cut to the union of the scopes of those
   * of its types whose areas it lies in (`within`; a type without areas always counts),
   * less whatever `forbidTypes` forbids for any of its types; when none counts, it is
   * dropped. Undefined means "no response filtering" beyond `otherTypesWithin`.
   */
  view?: ReadonlyMap<string, AttributeScope>;
  /**
   * Scope for entities none of whose types is named in `view` (a permission without a type
   * refinement). Undefined means such entities are dropped. Only meaningful with `view`.
   */
  otherTypes?: AttributeScope;
  /** Entities carrying any of these types are dropped whatever `view` says (prohibited types). */
  excludeTypes?: ReadonlySet<string>;
  /**
   * Attributes prohibited per entity type IRI: removed from every entity carrying that type,
   * whichever of its other types permits them (a prohibition wins across all of an
   * entity's types). Only meaningful with `view`.
   */
  forbidTypes?: ReadonlyMap<string, AttributeScope>;
  /**
   * Areas per entity type IRI (spatial constraints, compiled with their contracts): an
   * entity is shown for that type only when its `location` lies inside them. A type absent
   * here is shown wherever its entities are. Each type's areas are those of the
   * permissions that give it its scope; an unbounded permission covering the type leaves
   * it out. Types sharing one list of areas share one array.
   */
  within?: ReadonlyMap<string, ReadonlyArray<Area>>;
  /** Areas bounding what `otherTypes` shows (and, without a `view`, every entity); undefined: none. */
  otherTypesWithin?: ReadonlyArray<Area>;
  /** Entities shown only as their data subjects consented (consent-bound permissions). */
  consent?: ConsentObligation;
}

export interface Obligations extends ShownObligations {
  /** Counter keys to increment once the request is permitted (count constraints). */
  counters: string[];
  /**
   * The limit of each key of `counters`, in the same order: where counts are kept apart
   * from the decision (the primary of several workers), a key is counted only while below it.
   */
  limits?: number[];
  /** Audit detail asked for by a `log` duty. */
  auditLevel: 'normal' | 'detailed';
}

export interface RuleRef {
  /** The contract's key: its uid for a file, `<provider>/<uid>` for one made through the admin API. */
  contract: string;
  rule: string;
  /** The provider whose contract it is; absent for the operator's. */
  provider?: string;
}

/**
 * What the caller asked for that decided a deny, so a refusal can say it: the attribute or
 * entity type (expanded IRIs, as the caller named them), the request parameter whose filter
 * read it, or the conditions of the caller's own rules that were not met. Never anything
 * the caller did not name or could not see.
 */
export interface Culprit {
  attribute?: string;
  type?: string;
  /** The parameter that read the attribute, for filters: q, geoQ, scopeQ, geometryProperty... */
  parameter?: string;
  /** For `constraint_not_satisfied`: each rule addressed to the caller, with the kind of its first condition not met. */
  unmet?: Array<{ rule: RuleRef; constraint: string }>;
}

/** A rule decide() looked at for the request, and what became of it (the dry run's trace). */
export interface Considered {
  rule: RuleRef;
  kind: 'permission' | 'prohibition';
  /** applied; or why not: tenant, entity_ids, consent, constraint:<kind> */
  outcome: string;
}

export interface Decision {
  id: string;
  effect: 'permit' | 'deny';
  /** Stable reason code, e.g. `permitted`, `no_matching_permission`, `prohibited`, `role_denied`. */
  reason: string;
  /** Human-readable explanation, safe to show to the caller. */
  detail: string;
  /** Contract rules that decided (the permitting ones, or the prohibition). */
  rules: RuleRef[];
  /** On a deny, what in the request it turned on (absent when nothing more precise can be said). */
  culprit?: Culprit;
  obligations: Obligations;
  /** Revision of the contract snapshot that decided; absent when roles alone decided. */
  contractRevision?: number;
}
