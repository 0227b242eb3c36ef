import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newEnforcer, newModelFromString, type Enforcer } from 'casbin';
import { PROVIDER_ID_PATTERN } from '../config/index.js';
import { CodedError } from '../errors/index.js';
import { BoundedMemo } from '../lib/index.js';
import { ACTIONS, type Action } from '../ngsi/types.js';
import { canonicalTenant, DEFAULT_TENANT_DOMAIN } from '../ngsi/tenant.js';

/** Actions outside the NGSI-LD API, granted by roles like the others. */
export const ADMIN_ACTIONS = ['manageContracts', 'manageSubscriptions'] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];
const KNOWN_ACTIONS: ReadonlySet<string> = new Set<string>([...ACTIONS, ...ADMIN_ACTIONS]);

/**
 * `manageContracts:<provider>`: manage that provider's contracts through the admin API.
 * Granted only by a line that names it: `*` stands for every action but these, so no
 * wildcard makes anyone act for a provider.
 */
const PROVIDER_GRANT = new RegExp(`^manageContracts:(${PROVIDER_ID_PATTERN.slice(1, -1)})$`);

function providerGrant(provider: string): string {
  return `manageContracts:${provider}`;
}

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

export interface Lines { p: string[][]; g: string[][] }

/**
 * Parse and validate role lines strictly, so a typo is an error naming the line, not a
 * silent deny. With `providers`, a grant naming a provider not among them is an error too.
 */
export function parseRoleCsv(text: string, file: string, providers?: ReadonlySet<string>): Lines {
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
      const grant = PROVIDER_GRANT.exec(action);
      if (action !== '*' && !KNOWN_ACTIONS.has(action) && !grant) {
        throw new RolePolicyError(file, n, `unknown action "${action}" (expected one of ${[...KNOWN_ACTIONS].join(', ')}, manageContracts:<provider> or *)`);
      }
      if (grant && providers && !providers.has(grant[1] as string)) throw new RolePolicyError(file, n, `no provider "${grant[1]}" is configured`);
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

/** Every role a line grants something to, directly (p) or by inheriting (g). */
export function grantedRoles(lines: Lines): ReadonlySet<string> {
  return new Set([...lines.p.map((l) => l[0] as string), ...lines.g.map((l) => l[0] as string)]);
}

/**
 * Role checks for the hot path. casbin evaluates the model; answers are memoised per
 * (roles, tenant, action) because casbin scans every policy line on each call, and the
 * set of distinct combinations seen in practice is small. A policy change builds a new
 * RoleChecker, so the memo never outlives the policy it came from.
 */
export class RoleChecker {
  private readonly memo: BoundedMemo<string, boolean>;
  private readonly inheritedMemo: BoundedMemo<string, readonly string[]>;
  /**
   * @param grants the same model over the provider grant lines alone (and every g line).
   * @param parents per tenant (`*` included), each role's directly inherited roles.
   */
  private constructor(
    private readonly enforcer: Enforcer,
    private readonly grants: Enforcer,
    private readonly parents: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>,
    memoLimit: number,
    /** Every role a line grants something to, directly or by inheriting: the names a contract may assign rules to. */
    readonly roleNames: ReadonlySet<string>,
  ) {
    this.memo = new BoundedMemo(memoLimit);
    this.inheritedMemo = new BoundedMemo(memoLimit);
  }

  static async fromFiles(dir: string, opts: RoleCheckerOptions = {}): Promise<RoleChecker> {
    const rolesFile = join(dir, 'roles.csv');
    const lines = parseRoleCsv(readFileSync(rolesFile, 'utf8'), rolesFile, opts.providers);
    return RoleChecker.fromLines(readFileSync(join(dir, 'model.conf'), 'utf8'), lines, opts.memoLimit);
  }

  static async fromText(modelText: string, csv: string, opts: RoleCheckerOptions = {}): Promise<RoleChecker> {
    return RoleChecker.fromLines(modelText, parseRoleCsv(csv, 'roles.csv', opts.providers), opts.memoLimit);
  }

  private static async fromLines(modelText: string, lines: Lines, memoLimit = 10_000): Promise<RoleChecker> {
    const build = async (p: string[][]): Promise<Enforcer> => {
      const enforcer = await newEnforcer(newModelFromString(modelText));
      if (p.length) await enforcer.addNamedPolicies('p', p);
      if (lines.g.length) await enforcer.addNamedGroupingPolicies('g', lines.g);
      return enforcer;
    };
    const grants = lines.p.filter((line) => PROVIDER_GRANT.test(line[2] as string));
    return new RoleChecker(await build(lines.p), await build(grants), parentsByTenant(lines.g), memoLimit, grantedRoles(lines));
  }

  /**
   * The roles together with every role they inherit in the tenant, as the model's matcher
   * reads `g` lines: the chains of that tenant, and the chains of `*`. Contracts name roles
   * too, and a role that inherits `viewer` must meet what is written for viewers, their
   * prohibitions included. Returns the same array when nothing is inherited.
   */
  withInherited(roles: readonly string[], tenant: string | undefined): readonly string[] {
    if (roles.length === 0 || this.parents.size === 0) return roles;
    const domain = tenant ?? DEFAULT_TENANT_DOMAIN;
    return this.inheritedMemo.remember(`${domain}\u0000${roles.join('\u0000')}`, () => {
      const all = new Set(roles);
      for (const d of domain === '*' ? ['*'] : [domain, '*']) {
        const links = this.parents.get(d);
        if (links === undefined) continue;
        const seen = new Set<string>(roles);
        const todo = [...roles];
        for (let role = todo.pop(); role !== undefined; role = todo.pop()) {
          for (const parent of links.get(role) ?? []) {
            if (seen.has(parent)) continue;
            seen.add(parent);
            all.add(parent);
            todo.push(parent);
          }
        }
      }
      return all.size === roles.length ? roles : [...all];
    });
  }

  private any(enforcer: Enforcer, roles: readonly string[], domain: string, action: string): boolean {
    if (roles.length === 0) return false;
    const key = `${enforcer === this.grants ? 'g' : 'a'}\u0000${domain}\u0000${action}\u0000${roles.join('\u0000')}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    let ok = false;
    for (const role of roles) {
      if (enforcer.enforceSync(role, domain, action)) { ok = true; break; }
    }
    this.memo.set(key, ok);
    return ok;
  }

  /**
   * True when any of the roles may perform the action in the tenant (undefined = default
   * tenant; `*` asks for every tenant at once: only a grant for `*` answers it).
   */
  allows(roles: readonly string[], tenant: string | undefined, action: Action | AdminAction): boolean {
    return this.any(this.enforcer, roles, tenant ?? DEFAULT_TENANT_DOMAIN, action);
  }

  /** True when one of the roles is granted `manageContracts:<provider>` in the tenant, by a line that names it. */
  actsFor(roles: readonly string[], tenant: string | undefined, provider: string): boolean {
    return this.any(this.grants, roles, tenant ?? DEFAULT_TENANT_DOMAIN, providerGrant(provider));
  }
}

function parentsByTenant(g: readonly string[][]): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const [role, parent, tenant] of g as Array<[string, string, string]>) {
    let links = out.get(tenant);
    if (!links) out.set(tenant, (links = new Map<string, string[]>()));
    const list = links.get(role);
    if (list) list.push(parent);
    else links.set(role, [parent]);
  }
  return out;
}

export interface RoleCheckerOptions {
  memoLimit?: number;
  /** The configured provider ids: a grant naming another is an error. */
  providers?: ReadonlySet<string>;
}
