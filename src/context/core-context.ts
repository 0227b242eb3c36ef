/**
 * Compiling the NGSI-LD core context: the built-in table, or an official core file an
 * operator points to (a newer version than the table knows). Both go through the same
 * JSON-LD processing and the same checks, once, at load time.
 */
import { readFile } from 'node:fs/promises';
import { MimtrustError } from '../errors/index.js';
import { CORE_CONTEXT_TERMS, NGSI_LD_DEFAULT_VOCAB, NGSI_LD_NAMESPACE } from './core-terms.js';
import { isPlainObject } from './iri.js';
import { applyContext, newContextState } from './term-definitions.js';
import type { CoreContext, TermDefinition } from './types.js';

const NOTHING = { vocab: null, terms: new Map<string, TermDefinition>() } as const;

/**
 * Names whose IRIs every NGSI-LD version agrees on and the gateway depends on: a core
 * file that maps them differently is not an NGSI-LD core context.
 */
const INVARIANTS: Readonly<Record<string, string>> = {
  id: '@id',
  type: '@type',
  'ngsi-ld': NGSI_LD_NAMESPACE,
  Property: `${NGSI_LD_NAMESPACE}Property`,
  Relationship: `${NGSI_LD_NAMESPACE}Relationship`,
  GeoProperty: `${NGSI_LD_NAMESPACE}GeoProperty`,
  value: `${NGSI_LD_NAMESPACE}hasValue`,
  object: `${NGSI_LD_NAMESPACE}hasObject`,
  location: `${NGSI_LD_NAMESPACE}location`,
  observationSpace: `${NGSI_LD_NAMESPACE}observationSpace`,
  operationSpace: `${NGSI_LD_NAMESPACE}operationSpace`,
  observedAt: `${NGSI_LD_NAMESPACE}observedAt`,
  createdAt: `${NGSI_LD_NAMESPACE}createdAt`,
  modifiedAt: `${NGSI_LD_NAMESPACE}modifiedAt`,
  datasetId: `${NGSI_LD_NAMESPACE}datasetId`,
  unitCode: `${NGSI_LD_NAMESPACE}unitCode`,
};

function invalidCore(detail: string, cause?: unknown): MimtrustError {
  return new MimtrustError('INTERNAL', detail, { reason: 'invalid_core_context', cause });
}

/**
 * Compiles a core context given in JSON-LD local-context form (the value of the official
 * file's `@context`). Every term becomes protected. Remote references are refused: the
 * core must be self-contained.
 */
export function buildCoreContext(localContext: unknown, id: string): CoreContext {
  const state = newContextState();
  try {
    applyContext(localContext, state, NOTHING, () => {
      throw invalidCore('The core context must not reference other contexts.');
    }, { maxRemoteDepth: 0, keywordAliases: true });
  } catch (err) {
    throw err instanceof MimtrustError && err.reason === 'invalid_core_context'
      ? err
      : invalidCore('The core context is not a valid JSON-LD context.', err);
  }
  const vocab = state.vocab;
  if (vocab !== NGSI_LD_DEFAULT_VOCAB) throw invalidCore('The core context must set the NGSI-LD default @vocab.');
  const terms = new Map<string, TermDefinition>();
  for (const [term, def] of state.terms) terms.set(term, { ...def, protected: true });
  for (const [term, iri] of Object.entries(INVARIANTS)) {
    if (terms.get(term)?.iri !== iri) throw invalidCore('The core context maps an NGSI-LD core term differently.');
  }
  return Object.freeze({ id, vocab, terms });
}

let builtin: CoreContext | undefined;

/** The compiled-in core (v1.4 terms plus the v1.6-v1.9 additions). Built once. */
export function builtinCoreContext(): CoreContext {
  return (builtin ??= buildCoreContext(CORE_CONTEXT_TERMS, 'builtin'));
}

/** Loads an official core context file (`{"@context": {...}}`), e.g. a newer version. */
export async function loadCoreContextFile(path: string): Promise<CoreContext> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw invalidCore('The core context file cannot be read as JSON.', err);
  }
  if (!isPlainObject(doc) || !('@context' in doc)) throw invalidCore('The core context file has no @context.');
  return buildCoreContext(doc['@context'], `file:${path}`);
}
