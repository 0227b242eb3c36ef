/** Shapes shared by the @context modules. */

/** What one term means, as far as names are concerned. */
export interface TermDefinition {
  /** Expanded IRI or keyword alias; null when the term is explicitly mapped to nothing. */
  readonly iri: string | null;
  /** May serve as the prefix of a compact IRI (`prefix:suffix`). */
  readonly prefix: boolean;
  /** Cannot be redefined to a different IRI by a later context. */
  readonly protected: boolean;
}

/** The NGSI-LD core context, compiled: always in force, on top of every caller context. */
export interface CoreContext {
  /** Identifies which core is in force (built-in table or a loaded file). */
  readonly id: string;
  /** Fallback for every name no context defines. */
  readonly vocab: string;
  readonly terms: ReadonlyMap<string, TermDefinition>;
}

/** A caller's context applied over the core: how the caller's names map to IRIs. */
export interface ActiveContext {
  /** Expanded IRI (or keyword) of a name as the caller wrote it. Memoized. */
  expandTerm(term: string): string;
  /** The name the caller would use for an IRI (a term, compact IRI, or the IRI itself). */
  compactIri(iri: string): string;
  /** True when the caller's own context makes `term` mean something other than the core alone does. */
  redefines(term: string): boolean;
  /** Cache key: the context URL, or a digest of an inline context; `core` for the core alone. */
  readonly id: string;
}

/**
 * Returns the `@context` value of the remote document at `url`. Synchronous: remote
 * documents are fetched before processing starts, so processing itself does no I/O.
 */
export type ContextLoader = (url: string) => unknown;
