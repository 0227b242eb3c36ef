import type { Config } from '../config/index.js';
import { loadCoreContextFile } from './core-context.js';
import { loadPinnedContexts } from './pinned.js';
import { createContextResolver, type ContextResolver } from './resolver.js';

/** The resolver the configuration describes (allow-list, pinned copies, cache limits, optional newer core file). */
export async function contextResolverFor(contexts: Config['contexts']): Promise<ContextResolver> {
  return createContextResolver({
    allowList: contexts.allowList,
    maxEntries: contexts.maxEntries,
    maxAgeMs: contexts.maxAgeSec * 1000,
    maxBytes: contexts.maxBytes,
    fetchTimeoutMs: contexts.fetchTimeoutMs,
    pinned: loadPinnedContexts(contexts.pinned, contexts.maxBytes),
    ...(contexts.coreContextFile ? { core: await loadCoreContextFile(contexts.coreContextFile) } : {}),
  });
}
