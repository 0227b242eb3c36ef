/**
 * The consent module's functions, for the citizen API and for the issuer that will show a
 * consent screen: give, withdraw, list and export a data subject's records, and find the
 * consents a token rests on. Every event is stored, then written to the audit log. Records
 * are kept in memory once read, and every change goes through here and replaces the
 * in-memory copy at once, so a withdrawal holds on the very next request without a
 * database read per request. Expiry is read from the clock of each request; the first
 * request to see a record expired records the event.
 *
 * With several gateways on one store, a change made on another instance arrives on the
 * change feed and drops the record from memory, so it is read again; while the feed is
 * down, every lookup reads the store.
 */
import { randomUUID } from 'node:crypto';
import { MimtrustError } from '../errors/index.js';
import { bearerChallenge } from '../auth/index.js';
import type { AuditEvent } from '../audit/index.js';
import type { PartyNames } from '../contracts/index.js';
import { purposeIri } from '../contracts/purposes.js';
import { QUOTABLE_SUBJECT, type ConsentGrant } from '../policy/index.js';
import { grantOf, recipientParties, tokenRefusal } from './grant.js';
import { DPV_CONSENT, statusAt, type ConsentEventType, type ConsentRecord, type DataSubject, type PersonalData } from './record.js';
import type { ConsentListener, ConsentStore } from './store.js';
import type { ChangeFeed } from '../changes/index.js';

/** Who acts on their own records: a token's subject at one of the city's own issuers. */
export interface Citizen {
  issuer: string;
  sub: string;
}

/** What a consent is given for; the data subject is never part of it (it is whoever gives it). */
export interface GiveInput {
  recipient: string;
  /** DPV purposes, as `dpv:X` or IRIs. */
  purposes: readonly string[];
  /** Entity type and attribute IRIs (expanded by the caller). */
  personalData: readonly PersonalData[];
  /** Epoch ms; undefined: until withdrawn. */
  validUntil?: number;
}

/** The request an event came with, for its audit record; the module makes ids of its own without one. */
export interface EventOrigin {
  requestId: string;
  decisionId: string;
  method: string;
  path: string;
}

export interface ConsentsOptions {
  store: ConsentStore;
  audit: { append(event: AuditEvent): Promise<void> };
  /** The trusted issuers, for recipients and for who may be a data subject. */
  parties: PartyNames;
  /** How a citizen's `sub` becomes the identifier entities name them by; `{sub}` stands for it. */
  subjectTemplate: string;
  /** Records kept in memory. Default 100 000. */
  cacheSize?: number;
  /** Changes made by other gateways on the same store. */
  changes?: ChangeFeed;
  /** Told of every event once it is stored (store.ts). */
  listeners?: readonly ConsentListener[];
}

interface Cached {
  record: ConsentRecord;
  grant: ConsentGrant | undefined;
}

const URN_UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function notFound(): MimtrustError {
  // Another citizen's record and no record answer alike.
  return new MimtrustError('NOT_FOUND', 'The requested resource was not found.', { reason: 'consent_not_found' });
}

function badRequest(detail: string, reason: string): MimtrustError {
  return new MimtrustError('BAD_REQUEST', detail, { reason });
}

const REFUSALS: Readonly<Record<string, string>> = {
  consent_unknown: 'The access token rests on a consent that does not exist.',
  consent_withdrawn: 'The access token rests on a consent that has been withdrawn.',
  consent_expired: 'The access token rests on a consent that has expired.',
};

export class Consents {
  private readonly cache = new Map<string, Cached | null>();
  private readonly expiring = new Map<string, Promise<void>>();
  private readonly cacheSize: number;

  constructor(private readonly opts: ConsentsOptions) {
    this.cacheSize = opts.cacheSize ?? 100_000;
    opts.changes?.subscribe({
      change: (e) => { if (e.kind === 'consent') this.cache.delete(e.id); },
      resync: () => { this.cache.clear(); },
    });
  }

  /** The data subject a citizen is, or a refusal when they cannot be one. */
  dataSubject(c: Citizen): DataSubject {
    if (!this.opts.parties.cityOwn.includes(c.issuer)) {
      throw new MimtrustError('FORBIDDEN', 'Only a person logged in with one of the city\'s own issuers has consent records.', { reason: 'consent_subject_not_citizen' });
    }
    const id = this.opts.subjectTemplate.replaceAll('{sub}', c.sub);
    if (!QUOTABLE_SUBJECT.test(id)) {
      throw new MimtrustError('FORBIDDEN', 'This person\'s identifier cannot be used for consent records.', { reason: 'consent_subject_unmapped' });
    }
    return { issuer: c.issuer, sub: c.sub, id };
  }

  /** Gives a consent; the record is on the audit log before it takes effect. */
  async give(c: Citizen, input: GiveInput, now: number, origin?: EventOrigin): Promise<ConsentRecord> {
    const dataSubject = this.dataSubject(c);
    if (recipientParties(input.recipient, this.opts.parties) === undefined) {
      throw badRequest('The recipient is not a party of a trusted issuer.', 'consent_recipient_unknown');
    }
    const purposes: string[] = [];
    for (const p of input.purposes) {
      const iri = purposeIri(p);
      if (iri === undefined) throw badRequest('A purpose is not a DPV purpose.', 'consent_purpose_unknown');
      if (!purposes.includes(iri)) purposes.push(iri);
    }
    if (purposes.length === 0 || input.personalData.length === 0) throw badRequest('A consent names its purposes and personal data.', 'invalid_body');
    if (input.validUntil !== undefined && !(input.validUntil > now)) throw badRequest('A consent must be valid until a time still to come.', 'consent_until_past');
    const givenAt = new Date(now).toISOString();
    const record: ConsentRecord = {
      id: `urn:uuid:${randomUUID()}`,
      dataSubject,
      recipient: input.recipient,
      purposes,
      personalData: input.personalData.map((d) => ({ type: d.type, attributes: d.attributes === null ? null : [...new Set(d.attributes)] })),
      legalBasis: DPV_CONSENT,
      givenAt,
      events: [{ event: 'given', at: givenAt }],
    };
    if (input.validUntil !== undefined) record.validUntil = new Date(input.validUntil).toISOString();
    await this.audit(record, 'given', now, origin);
    await this.opts.store.add(record);
    this.remember(record);
    await this.notify(record, 'given', now);
    return record;
  }

  /** Withdraws one of the citizen's own consents; it holds from the next request on. */
  async withdraw(c: Citizen, id: string, now: number, origin?: EventOrigin): Promise<ConsentRecord> {
    const record = await this.own(c, id);
    if (statusAt(record, now) === 'withdrawn') {
      // Listeners that failed the first time are told again.
      await this.notify(record, 'withdrawn', now);
      return record;
    }
    const at = new Date(now).toISOString();
    await this.opts.store.addEvent(id, { event: 'withdrawn', at });
    // The withdrawal is in force before anything else can fail.
    const changed = { ...record, events: [...record.events, { event: 'withdrawn' as const, at }] };
    this.remember(changed);
    await this.audit(changed, 'withdrawn', now, origin);
    await this.notify(changed, 'withdrawn', now);
    return changed;
  }

  /** One of the citizen's own records (another's answers as missing). */
  async own(c: Citizen, id: string, now?: number): Promise<ConsentRecord> {
    const subject = this.dataSubject(c);
    if (!URN_UUID.test(id)) throw notFound();
    const cached = await this.lookup(id);
    const record = cached?.record;
    if (record === undefined || record.dataSubject.issuer !== subject.issuer || record.dataSubject.sub !== subject.sub) throw notFound();
    return now === undefined ? record : this.expireIfDue(record, now);
  }

  /** The citizen's records, oldest first, with expiries recorded as of `now`. */
  async ofCitizen(c: Citizen, now: number): Promise<ConsentRecord[]> {
    const subject = this.dataSubject(c);
    const records = await this.opts.store.ofSubject(subject.issuer, subject.sub);
    const out: ConsentRecord[] = [];
    for (const r of records) out.push(await this.expireIfDue(this.remember(r), now));
    return out;
  }

  /**
   * The consents a token rests on, as the decision reads them, or a 401 when one of them
   * is unknown, withdrawn or expired: the token is then no good any more.
   */
  async forToken(ids: readonly string[], now: number): Promise<ConsentGrant[]> {
    if (ids.length === 0) return [];
    const records = new Map<string, ConsentRecord>();
    const grants: ConsentGrant[] = [];
    for (const id of ids) {
      const cached = this.inMemory(id) ?? (URN_UUID.test(id) ? await this.lookup(id) : undefined);
      if (!cached) continue;
      records.set(id, cached.record);
      if (cached.grant) grants.push(cached.grant);
    }
    const refusal = tokenRefusal(ids, records, now);
    if (refusal === undefined) return grants;
    if (refusal === 'consent_expired') for (const r of records.values()) await this.expireIfDue(r, now);
    // The reason is the app's cue to ask the person again rather than to retry.
    throw new MimtrustError('INVALID_TOKEN', REFUSALS[refusal] as string, {
      reason: refusal,
      extensions: { reason: refusal },
      headers: { 'www-authenticate': bearerChallenge('invalid_token', 'consent no longer given') },
    });
  }

  /**
   * Of the consents named, those in force at `now`, as the decision reads them; the others
   * (unknown, withdrawn, expired) are left out, never refused. For what outlives a request,
   * such as a subscription's deliveries: a withdrawal must make it carry less, not fail.
   * Served from memory once the records are known; an expiry seen here first is recorded.
   */
  async inForce(ids: readonly string[], now: number): Promise<ConsentGrant[]> {
    const grants: ConsentGrant[] = [];
    for (const id of ids) {
      const cached = this.inMemory(id) ?? (URN_UUID.test(id) ? await this.lookup(id) : undefined);
      if (!cached) continue;
      const status = statusAt(cached.record, now);
      if (status === 'expired') await this.expireIfDue(cached.record, now);
      if (status === 'given' && cached.grant) grants.push(cached.grant);
    }
    return grants;
  }

  /** The record kept in memory, unless changes made elsewhere may have been missed (the feed is down). */
  private inMemory(id: string): Cached | null | undefined {
    return this.opts.changes?.live === false ? undefined : this.cache.get(id);
  }

  private async lookup(id: string): Promise<Cached | null> {
    const hit = this.inMemory(id);
    if (hit !== undefined) return hit;
    const record = await this.opts.store.get(id);
    if (record === undefined) {
      this.keep(id, null);
      return null;
    }
    this.remember(record);
    return this.cache.get(id) ?? null;
  }

  private remember(record: ConsentRecord): ConsentRecord {
    this.keep(record.id, { record, grant: grantOf(record, this.opts.parties) });
    return record;
  }

  private keep(id: string, entry: Cached | null): void {
    this.cache.delete(id);
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(id, entry);
  }

  /** Records the expiry of a record found expired, once. */
  private async expireIfDue(record: ConsentRecord, now: number): Promise<ConsentRecord> {
    if (statusAt(record, now) !== 'expired' || record.events.some((e) => e.event === 'expired')) return record;
    let pending = this.expiring.get(record.id);
    if (pending === undefined) {
      const at = record.validUntil as string;
      const changed = { ...record, events: [...record.events, { event: 'expired' as const, at }] };
      pending = (async () => {
        await this.opts.store.addEvent(record.id, { event: 'expired', at });
        this.remember(changed);
        await this.audit(changed, 'expired', now);
        await this.notify(changed, 'expired', now);
      })().finally(() => this.expiring.delete(record.id));
      this.expiring.set(record.id, pending);
    }
    await pending;
    return this.cache.get(record.id)?.record ?? record;
  }

  private async notify(record: ConsentRecord, event: ConsentEventType, now: number): Promise<void> {
    for (const listener of this.opts.listeners ?? []) {
      try {
        await listener.consentChanged(record, event, now);
      } catch (err) {
        throw new MimtrustError('SERVICE_UNAVAILABLE', 'The consent event is in force, but what follows from it could not be completed; repeat the request.', { reason: 'consent_listener_failed', cause: err });
      }
    }
  }

  private async audit(record: ConsentRecord, event: ConsentEventType, now: number, origin?: EventOrigin): Promise<void> {
    try {
      await this.opts.audit.append({
        time: new Date(now).toISOString(),
        decisionId: origin?.decisionId ?? randomUUID(),
        requestId: origin?.requestId ?? randomUUID(),
        issuer: record.dataSubject.issuer,
        sub: record.dataSubject.sub,
        operation: `consent.${event}`,
        action: 'consent',
        targets: { entityIds: [record.id], types: record.personalData.map((d) => d.type), attrs: [] },
        effect: 'permit',
        reason: `consent_${event}`,
        latencyMs: 0,
        method: origin?.method ?? 'CONSENT',
        path: origin?.path ?? '/consents',
        consent: { id: record.id, event, subject: record.dataSubject.id, recipient: record.recipient, purposes: record.purposes },
      });
    } catch (err) {
      throw new MimtrustError('SERVICE_UNAVAILABLE', 'The audit log is unavailable; the consent event was not completed.', { reason: 'audit_unavailable', cause: err });
    }
  }
}
