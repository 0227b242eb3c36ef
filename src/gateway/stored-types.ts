/**
 * What the broker holds for an entity, asked before a write to it is decided: the caller's
 * body may claim any type, the stored one is what the entity is. Answers are kept briefly
 * (bounded, short expiry) and forgotten as soon as the gateway itself writes to that entity;
 * a lookup that was under way while such a write passed is used once but not kept, since
 * the broker may have answered before the write.
 *
 * Every answer other than the entity or "not found" is an error: the write is not decided.
 */
import { MimtrustError } from '../errors/index.js';
import { TtlCache, mapLimited } from '../lib/index.js';
import type { Upstream } from './upstream.js';

/** An entity as the broker holds it: types and attribute names, compacted with the core context. */
export interface StoredEntity {
  readonly types: readonly string[];
  readonly attrs: readonly string[];
}

export interface StoredTypesOptions {
  upstream: Upstream;
  /** The broker's NGSI-LD base path, canonical (e.g. `/ngsi-ld/v1`). */
  basePath: string;
  ttlMs: number;
  maxEntries: number;
  /** Most entities one lookup may name: a larger write is refused rather than asked about. */
  maxIds: number;
  /** Lookups one request may have in flight at once. */
  concurrency: number;
  now?: () => number;
}

export interface StoredTypesQuery {
  tenant: string | undefined;
  /** Temporal writes ask about the temporal entity. */
  temporal: boolean;
  /** The write's `local=true`: ask about the broker's own entities only, as the write acts on them. */
  local: boolean;
  ids: readonly string[];
  /** Headers for the broker (tenant, credentials), built as for the forwarded request. */
  headers: Record<string, string>;
  /** Ask the broker even when an answer is kept. */
  fresh?: boolean;
}

/** What the broker answered per id; undefined: it holds no such entity. */
export type StoredEntities = ReadonlyMap<string, StoredEntity | undefined>;

interface Flight {
  promise: Promise<StoredEntity | undefined>;
  forgotten: boolean;
}

const NOT_ATTRIBUTES = new Set(['id', 'type']);

function key(q: Pick<StoredTypesQuery, 'tenant' | 'temporal' | 'local'>, id: string): string {
  return JSON.stringify([q.temporal, q.local, q.tenant ?? null, id]);
}

function unusable(detail: string, reason: string, cause?: unknown): MimtrustError {
  return new MimtrustError('BAD_GATEWAY', detail, { reason, ...(cause === undefined ? {} : { cause }) });
}

/** The types and attribute names of a broker's answer for `id`; anything unexpected is an error. */
export function storedEntityOf(body: unknown, id: string): StoredEntity {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw unusable('The broker described the entity in an unexpected form.', 'stored_types_invalid');
  const entity = body as Record<string, unknown>;
  const type = entity['type'];
  const types = typeof type === 'string' ? [type] : Array.isArray(type) ? type : [];
  if (entity['id'] !== id || types.length === 0 || !types.every((t): t is string => typeof t === 'string' && t !== '')) {
    throw unusable('The broker described the entity in an unexpected form.', 'stored_types_invalid');
  }
  const attrs = Object.keys(entity).filter((k) => !NOT_ATTRIBUTES.has(k) && !k.startsWith('@'));
  return { types: [...new Set(types)], attrs };
}

export class StoredTypes {
  readonly #opts: StoredTypesOptions;
  readonly #cache: TtlCache<string, StoredEntity>;
  readonly #flights = new Map<string, Flight>();
  readonly #now: () => number;

  constructor(opts: StoredTypesOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#cache = new TtlCache(opts.maxEntries, this.#now);
  }

  /** The stored entity for each id (each id asked once, at most `concurrency` at a time). */
  async lookup(q: StoredTypesQuery): Promise<StoredEntities> {
    const ids = [...new Set(q.ids)];
    if (ids.length > this.#opts.maxIds) {
      throw new MimtrustError('PAYLOAD_TOO_LARGE', `A write may name at most ${this.#opts.maxIds} entities through this gateway.`, { reason: 'too_many_entities' });
    }
    const found = await mapLimited(ids, this.#opts.concurrency, (id) => this.#one(q, id));
    return new Map(ids.map((id, i) => [id, found[i]]));
  }

  /** Forget what is known of these entities in this tenant: the gateway has just written to them. */
  forget(tenant: string | undefined, ids: readonly string[]): void {
    for (const id of ids) {
      for (const temporal of [false, true]) {
        for (const local of [false, true]) {
          const k = key({ tenant, temporal, local }, id);
          this.#cache.delete(k);
          const flight = this.#flights.get(k);
          if (flight) {
            flight.forgotten = true;
            this.#flights.delete(k);
          }
        }
      }
    }
  }

  #one(q: StoredTypesQuery, id: string): Promise<StoredEntity | undefined> {
    const k = key(q, id);
    if (q.fresh !== true) {
      const cached = this.#cache.get(k);
      if (cached) return Promise.resolve(cached);
      const running = this.#flights.get(k);
      if (running) return running.promise;
    }
    const flight: Flight = { promise: this.#ask(q, id), forgotten: false };
    this.#flights.set(k, flight);
    const settle = (): void => {
      if (this.#flights.get(k) === flight) this.#flights.delete(k);
    };
    flight.promise.then((entity) => {
      settle();
      // Only found entities are kept: a create that does not pass through the gateway
      // must not be hidden behind a remembered "not found".
      if (entity && !flight.forgotten) this.#cache.set(k, entity, this.#now() + this.#opts.ttlMs);
    }, settle);
    return flight.promise;
  }

  async #ask(q: StoredTypesQuery, id: string): Promise<StoredEntity | undefined> {
    const resource = q.temporal ? '/temporal/entities/' : '/entities/';
    // keyValues keeps the answer small; lastN=1 bounds a temporal entity to one instance per attribute.
    const params = q.temporal ? 'lastN=1' : 'options=keyValues';
    const path = `${this.#opts.basePath}${resource}${encodeURIComponent(id)}?${params}${q.local ? '&local=true' : ''}`;
    let res;
    try {
      res = await this.#opts.upstream.send({ method: 'GET', path, headers: q.headers });
    } catch (err) {
      const code = err instanceof MimtrustError && err.code === 'GATEWAY_TIMEOUT' ? 'GATEWAY_TIMEOUT' : 'BAD_GATEWAY';
      throw new MimtrustError(code, 'The broker could not be asked what the entity is; the write was not sent.', { reason: 'stored_types_unavailable', cause: err });
    }
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw unusable('The broker could not say what the entity is; the write was not sent.', 'stored_types_unavailable');
    let body: unknown;
    try {
      body = JSON.parse(res.body.toString('utf8'));
    } catch (err) {
      throw unusable('The broker described the entity in an unexpected form.', 'stored_types_invalid', err);
    }
    return storedEntityOf(body, id);
  }
}
