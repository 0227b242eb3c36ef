import type { CompiledContract } from './model.js';

/** A contract's identity and rule ids, as the admin API lists it, with the authors' rule descriptions. */
export function contractSummary(c: CompiledContract): Record<string, unknown> {
  const descriptions: Record<string, string> = {};
  for (const r of [...c.permissions, ...c.prohibitions]) if (r.description !== undefined) descriptions[r.uid] = r.description;
  return {
    uid: c.uid,
    source: c.source,
    type: c.type,
    permissions: c.permissions.map((r) => r.uid),
    prohibitions: c.prohibitions.map((r) => r.uid),
    ...(Object.keys(descriptions).length > 0 ? { descriptions } : {}),
  };
}
