/**
 * What raw paths name under one API base: the canonical path, and the route of the last
 * method that matched there. Both depend on nothing but the path and the method (no
 * header, token, tenant or query), so they are kept per raw path: a path read again, as a
 * polled entity is, skips decoding, checking and re-encoding. The key is the path exactly
 * as received, so two spellings of one resource are two entries, each checked on its own.
 * Only what passed is kept: a refused path or method is refused afresh every time. Nothing
 * kept reaches a request's classification by reference but strings: its lists are built
 * afresh each time.
 *
 * Classification runs after authentication, so only callers with a valid token can fill
 * the memo; the bound and the length limit keep what any one of them can make it hold small.
 */
import { BoundedMemo } from '../lib/index.js';
import { normalizeRawPath, type BasePath } from './normalize-path.js';
import { matchRoute, type RouteMatch } from './routes.js';

export interface Located {
  /** The canonical path, base included, as forwarded. */
  readonly path: string;
  /** Decoded segments after the API base. */
  readonly segments: readonly string[];
}

interface Entry extends Located {
  /** The last method that matched a route here, and that route (a refused method is never kept). */
  method: string | undefined;
  route: Readonly<RouteMatch> | undefined;
}

/** Raw paths kept per API base; a flood of distinct paths costs this many entries and no more. */
export const LOCATED_PATHS_KEPT = 2048;
/** Longer paths are worked out every time, so the entries stay within a few MiB (a path and its canonical form are at most 4 x 256 characters). */
export const LOCATED_PATH_MAX_LENGTH = 256;

export class LocatedPaths {
  readonly #base: BasePath;
  readonly #entries: BoundedMemo<string, Entry>;

  constructor(base: BasePath, kept: number = LOCATED_PATHS_KEPT) {
    this.#base = base;
    this.#entries = new BoundedMemo(kept);
  }

  /**
   * The canonical form of a raw path (as `splitTarget` gives it) and its route for this
   * method; throws as `normalizeRawPath` and `matchRoute` do. A path is kept once a method
   * matched a route there, so paths that name nothing take no room.
   */
  route(rawPath: string, method: string): { located: Located; route: Readonly<RouteMatch> } {
    const kept = this.#entries.get(rawPath);
    const entry = kept ?? this.#work(rawPath);
    if (entry.method === method && entry.route !== undefined) return { located: entry, route: entry.route };
    // One slot: a path read and written in turn works its route out again (a trie walk, well
    // under a microsecond), and an entry stays three small objects.
    const route = matchRoute(method, entry.segments);
    entry.method = method;
    entry.route = route;
    if (kept === undefined && rawPath.length <= LOCATED_PATH_MAX_LENGTH) this.#entries.set(rawPath, entry);
    return { located: entry, route };
  }

  /** Raw paths currently kept. */
  get size(): number {
    return this.#entries.size;
  }

  #work(rawPath: string): Entry {
    const n = normalizeRawPath(rawPath, this.#base);
    return { path: n.path, segments: n.segments, method: undefined, route: undefined };
  }
}
