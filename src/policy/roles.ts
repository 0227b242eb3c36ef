import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newEnforcer, newModelFromString, type Enforcer } from 'casbin';
import { CodedError } from '../errors/index.js';
import { BoundedMemo } from '../lib/index.js';
import { ACTIONS, type Action } from '../ngsi/types.js';
import { canonicalTenant, DEFAULT_TENANT_DOMAIN } from '../ngsi/tenant.js';

/** Actions outside the NGSI-LD API, granted by roles like the others. */
export const ADMIN_ACTIONS = ['manageContracts', 'manageSubscriptions'] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];
const KNOWN_ACTIONS: ReadonlySet<string> = new Set<string>([...ACTIONS, ...ADMIN_ACTIONS]);

export { DEFAULT_TENANT_DOMAIN };

export class RolePolicyError extends CodedError<'ERR_ROLE_POLICY_INVALID'> {
  readonly code = 'ERR_ROLE_POLICY_INVALID';
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'RolePolicyError';
  }
}

const NAME = /^[A-Za-z0-9_.:@-]{1,128}$/;
const TENANT = /^(\*|@default|[A-Za-z0-9_-]{1,64})$/;

interface Lines { p: string[][]; g: string[][] }

/** Parse and validate role lines strictly, so a typo is an error naming the line, not a silent deny. */
export function parseRoleCsv(text: string, file: string): Lines {
  const out: Lines = { p: [], g: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    const n = i + 1;
    const kind = cells[0];
    if (kind === 'p') {
      if (cells.length !== 4) throw new RolePolicyError(file, n, 'a p line is "p, role, tenant, action"');
      const [, role, tenant, action] = cells as [string, string, string, string];
      if (!NAME.test(role)) throw new RolePolicyError(file, n, `invalid role name "${role}"`);
      if (!TENANT.test(tenant)) throw new RolePolicyError(file, n, `invalid tenant "${tenant}"`);
      if (action !== '*' && !KNOWN_ACTIONS.has(action)) {
        throw new RolePolicyError(file, n, `unknown action "${action}" (expected one of ${[...KNOWN_ACTIONS].join(', ')} or *)`);
      }
      out.p.push([role, canonicalTenant(tenant), action]);
    } else if (kind === 'g') {
      if (cells.length !== 4) throw new RolePolicyError(file, n, 'a g line is "g, role, inherited role, tenant"');
      const [, role, parent, tenant] = cells as [string, string, string, string];
      if (!NAME.test(role) || !NAME.test(parent)) throw new RolePolicyError(file, n, 'invalid role name');
      if (!TENANT.test(tenant)) throw new RolePolicyError(file, n, `invalid tenant "${tenant}"`);
      out.g.push([role, parent, canonicalTenant(tenant)]);
    } else {
      throw new RolePolicyError(file, n, `unknown line type "${kind ?? ''}" (expected p or g)`);
    }
  });
  return out;
}

/**
 * Role checks for the hot path. casbin evaluates the model; answers are memoised per
 * (roles, tenant, action) because casbin scans every policy line on each call, and the
 * set of distinct combinations seen in practice is small. A policy change builds a new
 * RoleChecker, so the memo never outlives the policy it came from.
 */
export class RoleChecker {
  private readonly memo: BoundedMemo<string, boolean>;
  private constructor(private readonly enforcer: Enforcer, memoLimit: number) {
    this.memo = new BoundedMemo(memoLimit);
  }

  static async fromFiles(dir: string, memoLimit = 10_000): Promise<RoleChecker> {
    const modelFile = join(dir, 'model.conf');
    const rolesFile = join(dir, 'roles.csv');
    const model = newModelFromString(readFileSync(modelFile, 'utf8'));
    const lines = parseRoleCsv(readFileSync(rolesFile, 'utf8'), rolesFile);
    return RoleChecker.fromLines(model, lines, memoLimit);
  }

  static async fromText(modelText: string, csv: string, memoLimit = 10_000): Promise<RoleChecker> {
    return RoleChecker.fromLines(newModelFromString(modelText), parseRoleCsv(csv, 'roles.csv'), memoLimit);
  }

  private static async fromLines(model: ReturnType<typeof newModelFromString>, lines: Lines, memoLimit: number): Promise<RoleChecker> {
    const enforcer = await newEnforcer(model);
    if (lines.p.length) await enforcer.addNamedPolicies('p', lines.p);
    if (lines.g.length) await enforcer.addNamedGroupingPolicies('g', lines.g);
    return new RoleChecker(enforcer, memoLimit);
  }

  /** True when any of the roles may perform the action in the tenant (undefined = default tenant). */
  allows(roles: readonly string[], tenant: string | undefined, action: Action | AdminAction): boolean {
    if (roles.length === 0) return false;
    const domain = tenant ?? DEFAULT_TENANT_DOMAIN;
    const key = `${domain}\u0000${action}\u0000${roles.join('\u0000')}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    let ok = false;
    for (const role of roles) {
      if (this.enforcer.enforceSync(role, domain, action)) { ok = true; break; }
    }
    this.memo.set(key, ok);
    return ok;
  }
}
