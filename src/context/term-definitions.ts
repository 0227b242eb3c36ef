/**
 * JSON-LD 1.1 context processing, reduced to what decides names: the "create term
 * definition" and "IRI expansion" algorithms of JSON-LD 1.1 Processing Algorithms §4.1-4.2
 * and §5.2. `@type`, `@container`, `@language` and scoped contexts are accepted but do not
 * change what a name expands to, so they are not recorded.
 *
 * Every refusal is a MimtrustError BAD_REQUEST with a specific reason: a context we do not
 * understand exactly is never guessed at.
 */
import { MimtrustError } from '../errors/index.js';
import {
  endsWithGenDelim, hasKeywordForm, isAbsoluteIri, isBlankNode, isKeyword, isPlainObject, splitCompactIri,
} from './iri.js';
import { isCoreContextUrl } from './core-urls.js';
import type { ContextLoader, TermDefinition } from './types.js';

/** The layer a context is processed on top of: for callers the core, for the core nothing. */
export interface BaseLayer {
  readonly vocab: string | null;
  readonly terms: ReadonlyMap<string, TermDefinition>;
}

/** Definitions made by the contexts processed so far (mutable while processing). */
export interface ContextState {
  readonly terms: Map<string, TermDefinition>;
  /** `undefined`: no `@vocab` seen, the base layer's applies; `null`: removed. */
  vocab: string | null | undefined;
}

export interface ProcessLimits {
  /** How deep remote contexts may include remote contexts. */
  readonly maxRemoteDepth: number;
  /**
   * Whether a term may alias a JSON-LD keyword. Only the core may (`id`, `type`): a caller
   * alias such as `{"x": "@nest"}` or `{"t": "@type"}` makes an ordinary-looking member
   * mean a keyword to a JSON-LD broker, so what the gateway judged as a name would be read
   * as structure.
   */
  readonly keywordAliases?: boolean;
}

const CONTEXT_KEYS = new Set(['@base', '@direction', '@import', '@language', '@propagate', '@protected', '@version', '@vocab']);
const TERM_DEFINITION_KEYS = new Set([
  '@id', '@reverse', '@type', '@language', '@direction', '@context', '@container', '@index', '@nest', '@prefix', '@protected',
]);

export function refuse(reason: string, detail: string): MimtrustError {
  return new MimtrustError('BAD_REQUEST', detail, { reason });
}

export function newContextState(): ContextState {
  return { terms: new Map(), vocab: undefined };
}

/**
 * Applies a context value (URL, object, null, or an array of them) to `state`, in order:
 * later definitions win, except where the base layer or an earlier `@protected` term
 * forbids a change.
 */
export function applyContext(
  value: unknown, state: ContextState, base: BaseLayer, load: ContextLoader, limits: ProcessLimits, remoteChain: readonly string[] = [],
): void {
  if (Array.isArray(value)) {
    for (const item of value) applyContext(item, state, base, load, limits, remoteChain);
    return;
  }
  if (value === null) {
    // null drops the caller's own definitions; the base layer (the core) stays in force.
    for (const def of state.terms.values()) {
      if (def.protected) throw refuse('invalid_context_nullification', 'A context with protected terms cannot be reset by null.');
    }
    state.terms.clear();
    state.vocab = undefined;
    return;
  }
  if (typeof value === 'string') {
    if (isCoreContextUrl(value)) return;
    if (remoteChain.includes(value)) throw refuse('recursive_context_inclusion', 'A remote @context includes itself.');
    if (remoteChain.length >= limits.maxRemoteDepth) throw refuse('context_too_deep', 'Remote @context documents are nested too deeply.');
    applyContext(load(value), state, base, load, limits, [...remoteChain, value]);
    return;
  }
  if (isPlainObject(value)) {
    applyLocalContext(value, state, base, limits.keywordAliases === true);
    return;
  }
  throw refuse('invalid_local_context', 'An @context entry must be a URL, an object or null.');
}

interface Env {
  readonly local: Record<string, unknown>;
  readonly defined: Map<string, boolean>;
  readonly state: ContextState;
  readonly base: BaseLayer;
  readonly protectedDefault: boolean;
  readonly keywordAliases: boolean;
}

function applyLocalContext(local: Record<string, unknown>, state: ContextState, base: BaseLayer, keywordAliases: boolean): void {
  if ('@import' in local) throw refuse('unsupported_context_feature', '@import is not supported in an @context.');
  if ('@version' in local && local['@version'] !== 1.1) throw refuse('invalid_context', '@version must be 1.1.');
  const protectedValue = local['@protected'];
  if (protectedValue !== undefined && typeof protectedValue !== 'boolean') throw refuse('invalid_context', '@protected must be true or false.');
  const env: Env = { local, defined: new Map(), state, base, protectedDefault: protectedValue === true, keywordAliases };
  if ('@vocab' in local) state.vocab = vocabMapping(local['@vocab'], env);
  for (const term of Object.keys(local)) {
    if (!CONTEXT_KEYS.has(term)) defineTerm(term, env);
  }
}

function activeVocab(env: Pick<Env, 'state' | 'base'>): string | null {
  return env.state.vocab === undefined ? env.base.vocab : env.state.vocab;
}

function lookup(term: string, env: Pick<Env, 'state' | 'base'>): TermDefinition | undefined {
  return env.state.terms.get(term) ?? env.base.terms.get(term);
}

function vocabMapping(value: unknown, env: Env): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw refuse('invalid_vocab_mapping', '@vocab must be an IRI or null.');
  if (isBlankNode(value)) throw refuse('blank_node_not_allowed', 'Blank node identifiers are not allowed as names.');
  // JSON-LD 1.1: a relative @vocab is taken relative to the @vocab already in force.
  const iri = expandIri(value, env);
  if (iri === null || !isAbsoluteIri(iri)) throw refuse('invalid_vocab_mapping', '@vocab must expand to an absolute IRI.');
  return iri;
}

/** IRI expansion with `vocab = true`, defining local terms on demand. Null: maps to nothing. */
function expandIri(value: string, env: Env): string | null {
  if (isKeyword(value)) return value;
  if (hasKeywordForm(value)) return null;
  if (Object.hasOwn(env.local, value) && env.defined.get(value) !== true) defineTerm(value, env);
  const def = lookup(value, env);
  if (def !== undefined) return def.iri;
  return expandAsIri(value, env);
}

/** Expansion of a name that is not itself a term: blank node, compact IRI, IRI, or vocab-relative. */
function expandAsIri(value: string, env: Env): string {
  if (isBlankNode(value)) return value;
  const compact = splitCompactIri(value);
  if (compact !== undefined) {
    if (Object.hasOwn(env.local, compact.prefix) && env.defined.get(compact.prefix) !== true) defineTerm(compact.prefix, env);
    const prefix = lookup(compact.prefix, env);
    if (prefix !== undefined && prefix.prefix && prefix.iri !== null) return prefix.iri + compact.suffix;
    if (isAbsoluteIri(value)) return value;
  } else if (isAbsoluteIri(value)) {
    return value;
  }
  const vocab = activeVocab(env);
  return vocab === null ? value : vocab + value;
}

function defineTerm(term: string, env: Env): void {
  const status = env.defined.get(term);
  if (status === true) return;
  if (status === false) throw refuse('cyclic_term_definition', 'A term of the @context is defined through itself.');
  if (term === '') throw refuse('invalid_term_definition', 'A term of the @context is empty.');
  const value = env.local[term];
  if (isKeyword(term)) {
    // JSON-LD 1.1 lets `@type` carry only @container/@protected: nothing that renames.
    if (term === '@type' && isPlainObject(value)) { env.defined.set(term, true); return; }
    throw refuse('keyword_redefinition', 'A JSON-LD keyword cannot be redefined.');
  }
  if (hasKeywordForm(term)) { env.defined.set(term, true); return; }
  env.defined.set(term, false);

  if (!env.keywordAliases && isPlainObject(value)) refuseRestructuring(value);
  const shape = termShape(term, value, env.protectedDefault);
  if (shape === undefined) { env.defined.set(term, true); return; }
  const iri = shape.hasId && shape.id !== term ? iriFromId(term, shape.id, env) : iriFromTerm(term, env);
  if (iri !== null && isKeyword(iri) && !env.keywordAliases && env.base.terms.get(term)?.iri !== iri) {
    // Repeating a core alias (`"type": "@type"`) changes nothing; any other alias is refused.
    throw refuse('keyword_alias', 'The @context makes a term an alias of a JSON-LD keyword; keyword aliases are not accepted.');
  }
  const prefix = shape.prefix ?? (shape.simple && !term.includes(':') && !term.includes('/') && iri !== null
    && !isKeyword(iri) && (endsWithGenDelim(iri) || isBlankNode(iri)));
  record(term, { iri, prefix, protected: shape.protected }, env);
}

interface TermShape {
  hasId: boolean;
  id: unknown;
  simple: boolean;
  protected: boolean;
  prefix: boolean | undefined;
}

/** Containers that turn a member's keys or value into other nodes, types or graphs. */
const RESTRUCTURING_CONTAINERS: ReadonlySet<string> = new Set(['@graph', '@id', '@type', '@index']);

/**
 * Refuses the parts of a caller's term definition that change what names mean below the
 * term, or turn keys into nodes: a scoped `@context` (a type-scoped one would rename the
 * attributes of every entity of that type for a JSON-LD broker), property-valued `@index`,
 * and `@graph`/`@id`/`@type`/`@index` containers.
 */
function refuseRestructuring(def: Record<string, unknown>): void {
  if ('@context' in def) throw refuse('unsupported_context_feature', 'Scoped contexts are not supported in an @context.');
  if ('@index' in def) throw refuse('unsupported_context_feature', 'Indexed term definitions are not supported in an @context.');
  const container = def['@container'];
  const kinds = Array.isArray(container) ? container : [container];
  if (kinds.some((k) => typeof k === 'string' && RESTRUCTURING_CONTAINERS.has(k))) {
    throw refuse('unsupported_context_feature', 'This @container is not supported in an @context.');
  }
}

/** Reads a term definition's form; undefined when JSON-LD says to ignore it. */
function termShape(term: string, value: unknown, protectedDefault: boolean): TermShape | undefined {
  if (value === null) return { hasId: true, id: null, simple: false, protected: protectedDefault, prefix: undefined };
  if (typeof value === 'string') {
    if (!isKeyword(value) && hasKeywordForm(value)) return undefined;
    return { hasId: true, id: value, simple: true, protected: protectedDefault, prefix: undefined };
  }
  if (!isPlainObject(value)) throw refuse('invalid_term_definition', 'A term definition must be a string, an object or null.');
  for (const key of Object.keys(value)) {
    if (!TERM_DEFINITION_KEYS.has(key)) throw refuse('invalid_term_definition', 'A term definition has an unknown entry.');
  }
  if ('@reverse' in value) throw refuse('unsupported_context_feature', 'Reverse properties are not supported in an @context.');
  const prot = value['@protected'];
  if (prot !== undefined && typeof prot !== 'boolean') throw refuse('invalid_term_definition', '@protected must be true or false.');
  const pre = value['@prefix'];
  if (pre !== undefined && (typeof pre !== 'boolean' || term.includes(':') || term.includes('/'))) {
    throw refuse('invalid_term_definition', '@prefix must be a boolean on a simple term.');
  }
  const id = value['@id'];
  if (typeof id === 'string' && !isKeyword(id) && hasKeywordForm(id)) return undefined;
  return { hasId: Object.hasOwn(value, '@id'), id, simple: false, protected: prot ?? protectedDefault, prefix: pre };
}

/** IRI mapping from an explicit `@id` (or string value) that differs from the term. */
function iriFromId(term: string, id: unknown, env: Env): string | null {
  if (id === null) return null;
  if (typeof id !== 'string') throw refuse('invalid_iri_mapping', 'A term must map to an IRI.');
  const iri = expandIri(id, env);
  if (iri === null) throw refuse('invalid_iri_mapping', 'A term maps to a name that maps to nothing.');
  if (iri === '@context') throw refuse('invalid_keyword_alias', '@context cannot be aliased.');
  if (isBlankNode(iri)) throw refuse('blank_node_not_allowed', 'Blank node identifiers are not allowed as names.');
  if (!isKeyword(iri) && !isAbsoluteIri(iri)) throw refuse('invalid_iri_mapping', 'A term must map to an absolute IRI.');
  const colon = term.indexOf(':');
  if ((colon > 0 && colon < term.length - 1) || term.includes('/')) {
    // A term shaped like an IRI must mean that IRI, or `a:b` could be made to mean `c:d`.
    env.defined.set(term, true);
    if (expandAsIri(term, env) !== iri) throw refuse('invalid_iri_mapping', 'A term shaped like an IRI maps to a different IRI.');
  }
  return iri;
}

/** IRI mapping of a term defined without its own `@id` (or with `@id` equal to the term). */
function iriFromTerm(term: string, env: Env): string {
  if (isBlankNode(term)) throw refuse('blank_node_not_allowed', 'Blank node identifiers are not allowed as names.');
  const compact = splitCompactIri(term);
  if (compact !== undefined) {
    if (Object.hasOwn(env.local, compact.prefix)) defineTerm(compact.prefix, env);
    const prefix = lookup(compact.prefix, env);
    if (prefix !== undefined && prefix.iri !== null && !isKeyword(prefix.iri)) return prefix.iri + compact.suffix;
  }
  if (isAbsoluteIri(term)) return term;
  if (term.includes('/') || term.includes(':')) throw refuse('invalid_iri_mapping', 'A relative IRI cannot be a term.');
  const vocab = activeVocab(env);
  if (vocab === null) throw refuse('invalid_iri_mapping', 'A term has no IRI and no @vocab is in force.');
  return vocab + term;
}

function record(term: string, def: TermDefinition, env: Env): void {
  const baseDef = env.base.terms.get(term);
  if (baseDef !== undefined) {
    // The core is protected: repeating a core term with the same meaning is harmless, changing it is refused.
    if (baseDef.iri !== def.iri) throw refuse('protected_term_redefined', 'The @context redefines a protected NGSI-LD core term.');
    env.defined.set(term, true);
    return;
  }
  const previous = env.state.terms.get(term);
  if (previous?.protected === true) {
    if (previous.iri !== def.iri) throw refuse('protected_term_redefined', 'The @context redefines a protected term.');
  } else {
    env.state.terms.set(term, def);
  }
  env.defined.set(term, true);
}
