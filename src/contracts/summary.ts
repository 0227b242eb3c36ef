import type { CompiledContract } from './model.js';
import { contractTenants } from './namespace.js';

const uids = (rules: CompiledContract['permissions']): string[] => [...new Set(rules.map((r) => r.uid))];

/**
 * A contract's identity, state and rule ids (the rules in force), as the admin API lists
 * it, with the authors' rule descriptions and the tenants it applies in (null: every
 * tenant) once narrowed to what its provider owns.
 */
export function contractSummary(c: CompiledContract): Record<string, unknown> {
  const descriptions: Record<string, string> = {};
  for (const r of [...c.permissions, ...c.prohibitions]) if (r.description !== undefined) descriptions[r.uid] = r.description;
  const tenants = contractTenants(c);
  return {
    uid: c.uid,
    provider: c.provider,
    source: c.source,
    type: c.type,
    tenants: tenants === null ? null : [...tenants].sort(),
    status: c.disabled ? 'disabled' : 'enabled',
    ...(c.disabled ? { disabled: c.disabled } : {}),
    permissions: uids(c.permissions),
    prohibitions: uids(c.prohibitions),
    ...(Object.keys(descriptions).length > 0 ? { descriptions } : {}),
  };
}
