/**
 * A caller's @context applied over the NGSI-LD core, and the name lookups the gateway
 * makes with it on every request.
 *
 * Precedence, decided here and relied on everywhere else:
 * - Caller contexts are processed in order (arrays, nested arrays, remote documents);
 *   a later definition of a caller term replaces an earlier one unless that one was
 *   `@protected`.
 * - The core context is in force underneath and on top: its terms and prefixes can be
 *   used inside caller definitions (`"temp": "ngsi-ld:temperature"`), and a caller
 *   context that maps a core term to a different IRI is refused ('protected_term_redefined'),
 *   as JSON-LD 1.1 does for a @protected context. Repeating a core term unchanged is fine.
 * - `null` in a caller context drops the caller's earlier definitions; the core stays.
 * - A caller `@vocab` applies to the caller's own term definitions that follow it. Names
 *   no context defines always fall to the core `@vocab`, because in NGSI-LD the core is
 *   applied last and its `@vocab` is the one brokers end up with.
 * - A term mapped to null (`"temp": null`) falls to the core `@vocab` as well: the name
 *   is then compared as the broker's default expansion of it, never as "nothing".
 */
import { MimtrustError } from '../errors/index.js';
import { BoundedMemo } from '../lib/index.js';
import { isAbsoluteIri, isBlankNode, isKeyword, hasKeywordForm, splitCompactIri } from './iri.js';
import { applyContext, newContextState, refuse } from './term-definitions.js';
import type { ActiveContext, ContextLoader, CoreContext, TermDefinition } from './types.js';

export interface ProcessContextOptions {
  core: CoreContext;
  /** Synchronous access to already fetched remote contexts; absent: remote contexts are refused. */
  load?: ContextLoader;
  /** Cache key recorded on the result. */
  id?: string;
  /** How deep remote contexts may nest (default 8). */
  maxRemoteDepth?: number;
}

/** Above this many distinct names the memo starts over, so a flood of odd names cannot grow it without bound. */
const MEMO_LIMIT = 4096;

const refuseRemote: ContextLoader = () => {
  throw new MimtrustError('BAD_REQUEST', 'Remote @context documents are not available here.', { reason: 'context_not_allowed' });
};

/** Processes a caller context value over the core. Pure: remote documents come from `load`. */
export function processContext(local: unknown, opts: ProcessContextOptions): ActiveContext {
  const state = newContextState();
  applyContext(local, state, opts.core, opts.load ?? refuseRemote, { maxRemoteDepth: opts.maxRemoteDepth ?? 8 });
  return new LayeredContext(opts.id ?? 'inline', opts.core, state.terms);
}

/** The active context of a request that brings no context of its own. */
export function coreOnlyContext(core: CoreContext): ActiveContext {
  return new LayeredContext('core', core, new Map());
}

class LayeredContext implements ActiveContext {
  readonly id: string;
  readonly #core: CoreContext;
  readonly #terms: ReadonlyMap<string, TermDefinition>;
  readonly #expanded = new BoundedMemo<string, string>(MEMO_LIMIT);
  readonly #compacted = new BoundedMemo<string, string>(MEMO_LIMIT);
  #reverse: ReverseIndex | undefined;

  constructor(id: string, core: CoreContext, terms: ReadonlyMap<string, TermDefinition>) {
    this.id = id;
    this.#core = core;
    this.#terms = terms;
  }

  expandTerm(term: string): string {
    return this.#expanded.remember(term, () => this.#expand(term));
  }

  compactIri(iri: string): string {
    return this.#compacted.remember(iri, () => this.#compact(iri));
  }

  redefines(term: string): boolean {
    // Caller definitions of core terms are refused while processing, so only the
    // caller's own terms can differ; one mapped to null falls to the core @vocab.
    const def = this.#terms.get(term);
    return def !== undefined && def.iri !== null && def.iri !== this.#core.vocab + term;
  }

  #lookup(term: string): TermDefinition | undefined {
    return this.#terms.get(term) ?? this.#core.terms.get(term);
  }

  #expand(term: string): string {
    if (term === '') throw refuse('invalid_name', 'An empty name cannot be expanded.');
    if (isKeyword(term)) return term;
    const def = this.#lookup(term);
    if (def !== undefined) return def.iri ?? this.#core.vocab + term;
    if (hasKeywordForm(term)) throw refuse('invalid_name', 'A name shaped like a JSON-LD keyword cannot be expanded.');
    if (isBlankNode(term)) throw refuse('blank_node_not_allowed', 'Blank node identifiers are not allowed as names.');
    const compact = splitCompactIri(term);
    if (compact !== undefined) {
      const prefix = this.#lookup(compact.prefix);
      if (prefix !== undefined && prefix.prefix && prefix.iri !== null && !isKeyword(prefix.iri)) return prefix.iri + compact.suffix;
    }
    if (isAbsoluteIri(term)) return term;
    return this.#core.vocab + term;
  }

  #roundTrips(name: string, iri: string): boolean {
    try {
      return this.expandTerm(name) === iri;
    } catch {
      return false;
    }
  }

  #compact(iri: string): string {
    const index = (this.#reverse ??= buildReverseIndex(this.#core.terms, this.#terms));
    const term = index.terms.get(iri);
    if (term !== undefined && this.#roundTrips(term, iri)) return term;
    const vocab = this.#core.vocab;
    if (iri.length > vocab.length && iri.startsWith(vocab)) {
      const suffix = iri.slice(vocab.length);
      if (this.#roundTrips(suffix, iri)) return suffix;
    }
    let best: string | undefined;
    for (const [prefix, prefixIri] of index.prefixes) {
      if (iri.length <= prefixIri.length || !iri.startsWith(prefixIri)) continue;
      const candidate = `${prefix}:${iri.slice(prefixIri.length)}`;
      if (preferred(candidate, best) && this.#roundTrips(candidate, iri)) best = candidate;
    }
    return best ?? iri;
  }
}

interface ReverseIndex {
  /** IRI (or keyword) -> the term a caller would write for it. */
  terms: Map<string, string>;
  /** Terms usable as compact-IRI prefixes, with their IRIs. */
  prefixes: Array<readonly [string, string]>;
}

/** Shortest term first, then the lexicographically least: a stable choice among synonyms. */
function preferred(candidate: string, current: string | undefined): boolean {
  if (current === undefined) return true;
  if (candidate.length !== current.length) return candidate.length < current.length;
  return candidate < current;
}

function buildReverseIndex(...layers: ReadonlyArray<ReadonlyMap<string, TermDefinition>>): ReverseIndex {
  const terms = new Map<string, string>();
  const prefixes: Array<readonly [string, string]> = [];
  for (const layer of layers) {
    for (const [term, def] of layer) {
      if (def.iri === null) continue;
      if (preferred(term, terms.get(def.iri))) terms.set(def.iri, term);
      if (def.prefix && !isKeyword(def.iri)) prefixes.push([term, def.iri]);
    }
  }
  return { terms, prefixes };
}
