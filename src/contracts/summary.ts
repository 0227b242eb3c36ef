import type { CompiledContract } from './model.js';

/** A contract's identity and rule ids, as the admin API lists it. */
export function contractSummary(c: CompiledContract): Record<string, unknown> {
  return {
    uid: c.uid,
    source: c.source,
    type: c.type,
    permissions: c.permissions.map((r) => r.uid),
    prohibitions: c.prohibitions.map((r) => r.uid),
  };
}
