/**
 * The audit log's data: what the gateway reports for each decision (AuditEvent), what is
 * stored (AuditRecord: the event plus its place in the hash chain) and the signed
 * checkpoints that pin the chain's head at intervals.
 */

/**
 * What a request touched, as the caller named it. Bounded: each list keeps at most the
 * log's `maxTargets` first entries (each cut to 512 characters); when anything was left
 * out, `digest` is the SHA-256 (hex) of the canonical JSON of the full lists and `counts`
 * their full lengths, so a request naming thousands of ids costs one short record.
 */
export interface AuditTargets {
  entityIds: readonly string[];
  types: readonly string[];
  attrs: readonly string[];
  digest?: string;
  counts?: { entityIds: number; types: number; attrs: number };
}

/** The names the decision was taken on, expanded to IRIs with the caller's @context (bounded like targets). */
export interface AuditDecided {
  types: readonly string[];
  attrs: readonly string[];
}

/** What the audit keeps of a consent event (src/consent). */
export interface AuditConsent {
  /** The record's id (urn:uuid). */
  id: string;
  event: 'given' | 'withdrawn' | 'expired';
  /** The data subject as entities name them. */
  subject: string;
  /** The recipient, as contract parties are written. */
  recipient: string;
  /** DPV purpose IRIs. */
  purposes: readonly string[];
}

/** One person whose data a permitted read released under their consent: what of it went out (never values). */
export interface AuditDataSubject {
  /** The data subject as entities name them (and consent records do). */
  id: string;
  /** Entity type IRIs under consent of the entities shown. */
  types: readonly string[];
  /** Attribute IRIs shown of those entities. */
  attrs: readonly string[];
}

/** Whose data a permitted read released under consent, on which consents, for which purpose. */
export interface AuditRelease {
  /** The DPV purpose the caller declared (token), when it declared one. */
  purpose?: string;
  /** Ids of the consent records the read rested on. */
  consents: readonly string[];
  subjects: readonly AuditDataSubject[];
}

export interface AuditEvent {
  /** ISO 8601 time of the decision. */
  time: string;
  decisionId: string;
  requestId: string;
  /** Exact `iss` of the caller's token: `sub` and `clientId` are names this issuer gave. */
  issuer?: string;
  sub?: string;
  clientId?: string;
  /** How the caller's token was bound to it: a plain bearer token, a DPoP key, a client certificate. No key material. */
  binding?: 'bearer' | 'dpop' | 'mtls';
  /** NGSI-LD operation (e.g. `entity.retrieve`), or a marker for requests that could not be classified. */
  operation: string;
  /** Action group (e.g. `read`). */
  action: string;
  tenant?: string;
  targets: AuditTargets;
  effect: 'permit' | 'deny';
  /** Stable reason code of the decision or the error. */
  reason: string;
  /** Contract rule references (`contract#rule`) that decided. */
  rules?: readonly string[];
  /** HTTP status the broker answered with, when the request was forwarded. */
  upstreamStatus?: number;
  /** Expanded type and attribute IRIs decided on (contract-governed requests). */
  decided?: AuditDecided;
  /** Revision of the contract snapshot the decision read. */
  contractRevision?: number;
  /** Detail level a `log` duty of a deciding rule asked for. */
  auditLevel?: 'normal' | 'detailed';
  /** Providers of the contracts behind the decision, or the provider whose contracts an admin call changes. */
  providers?: readonly string[];
  /** A consent record's event: which record, whose, to whom, for what (never attribute values). */
  consent?: AuditConsent;
  /** Whose data the response released under consent (the gateway's reads and notifications); found by data subject. */
  released?: AuditRelease;
  latencyMs: number;
  method: string;
  path: string;
}

/** One stored record: seq counts from 1 without gaps; hash covers seq, the event and prevHash. */
export interface AuditRecord extends AuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * A signed statement "the record at `seq` has hash `hash`", made at `time` with the key
 * whose RFC 7638 thumbprint is `kid`. `signature` is base64url Ed25519 over the
 * canonical checkpoint payload (see checkpoint.ts).
 */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  time: string;
  kid: string;
  signature: string;
}

/** One row of the data-subject index: `subject`'s data was released by the read of record `seq`. */
export interface SubjectIndexRow {
  seq: number;
  subject: string;
}

export type AuditProblem =
  | 'hash_mismatch'
  | 'broken_link'
  | 'gap'
  | 'bad_checkpoint_signature'
  | 'checkpoint_mismatch'
  | 'truncated'
  | 'checkpoint_cadence'
  | 'anchor_file_missing'
  | 'anchor_invalid'
  | 'anchor_not_in_log'
  | 'subject_index';

export type VerifyResult =
  | { ok: true; records: number; checkpoints: number }
  | { ok: false; records: number; firstBad: { seq: number; problem: AuditProblem; detail: string } };
