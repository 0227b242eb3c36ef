/**
 * jsonld copies the whole active context, every term definition deeply, each time it
 * enters a node with a type-scoped context (the VC 2.0 context has them on every
 * credential, proof and status entry) and again when it leaves it: over half the CPU time
 * of signing or verifying a credential went there. Term definitions are never changed
 * once made (a redefinition replaces the entry with a new object), so a copy of the term
 * map that shares them is the same context; shareTermDefinitions gives jsonld's initial
 * contexts, and so every context derived from them, such a copy. Everything else it
 * copies as jsonld's own does.
 *
 * If jsonld no longer looks as expected (no initial contexts, no clone on them), nothing
 * is changed and jsonld works as shipped, only slower; the test of this module notices.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

interface ActiveContext {
  mappings: Map<string, unknown>;
  protected: Record<string, boolean>;
  inverse: unknown;
  previousContext?: ActiveContext;
  clone: (this: ActiveContext) => ActiveContext;
  getInverse: unknown;
  revertToPreviousContext: unknown;
  '@base'?: unknown;
  '@language'?: unknown;
  '@vocab'?: unknown;
}

export interface JsonldContextApi {
  getInitialContext: (options: { processingMode?: string }) => ActiveContext;
}

/** The processing modes jsonld keeps an initial context for (its options' `processingMode`). */
const MODES = [undefined, 'json-ld-1.0', 'json-ld-1.1'] as const;

/** jsonld's clone of an active context, sharing the term definitions instead of copying them. */
function cloneSharingDefinitions(this: ActiveContext): ActiveContext {
  const child: ActiveContext = {
    mappings: new Map(this.mappings),
    clone: this.clone,
    inverse: null,
    getInverse: this.getInverse,
    protected: { ...this.protected },
    revertToPreviousContext: this.revertToPreviousContext,
  };
  if (this.previousContext) child.previousContext = this.previousContext.clone();
  for (const key of ['@base', '@language', '@vocab'] as const) if (key in this) child[key] = this[key];
  return child;
}

/**
 * Makes the contexts of this jsonld (its `lib/context.js`) copy by sharing term
 * definitions; returns a function that puts jsonld's own copy back, and false when
 * jsonld does not look as expected and nothing was changed.
 */
export function shareTermDefinitions(api: JsonldContextApi): (() => void) | false {
  if (typeof api.getInitialContext !== 'function') return false;
  const initial = MODES.map((processingMode) => api.getInitialContext(processingMode === undefined ? {} : { processingMode }));
  if (!initial.every((c) => typeof c?.clone === 'function' && c.mappings instanceof Map)) return false;
  const original = initial.map((c) => c.clone);
  for (const c of initial) c.clone = cloneSharingDefinitions;
  return () => initial.forEach((c, i) => { c.clone = original[i] as ActiveContext['clone']; });
}

let tuned: boolean | undefined;

/** Applies shareTermDefinitions to the jsonld the credential libraries use, once per thread. */
export function tuneJsonld(): boolean {
  if (tuned === undefined) {
    const require = createRequire(import.meta.url);
    // The credential libraries load the jsonld installed beside them; this is that one.
    const api = require(require.resolve('jsonld/lib/context.js', { paths: [dirname(require.resolve('@digitalbazaar/vc'))] })) as JsonldContextApi;
    tuned = shareTermDefinitions(api) !== false;
  }
  return tuned;
}
