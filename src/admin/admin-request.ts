/**
 * What every admin route shares: its dependencies, the authorization stage that finds
 * which contracts the caller may administer (grants.ts), the audit subject of a call, and
 * contract errors turned into ProblemDetails.
 */
import { MimtrustError } from '../errors/index.js';
import type { JsonObject } from '../lib/index.js';
import { ContractError, type ContractRegistry, type PartyNames, type Providers } from '../contracts/index.js';
import type { RoleChecker, DecisionSnapshot } from '../policy/index.js';
import type { TokenVerifier } from '../auth/index.js';
import type { AuditLog } from '../audit/index.js';
import type { ContextResolver } from '../context/index.js';
import type { TrustedIssuerList } from './trusted-issuer-routes.js';
import { bodyValidator, type Answered, type Authenticated, type Received, type Stage } from '../gateway/index.js';
import { adminGrants, type AdminGrants } from './grants.js';
import { contractDocumentSchema } from './schemas.js';

export const ADMIN_PREFIX = '/admin';

export interface AdminDeps {
  basePath: string;
  verifier: TokenVerifier;
  roles: () => RoleChecker;
  registry: ContractRegistry;
  /** The configured providers (config is their source of truth); empty when there are none. */
  providers: Providers;
  resolver: ContextResolver;
  /** The trusted issuers by the names contracts use, for dry-run callers. */
  parties: PartyNames;
  snapshot: () => DecisionSnapshot;
  audit: AuditLog;
  log: { error(obj: unknown, msg: string): void };
  /** The trusted issuers list, when the gateway handles credentials. */
  trustedIssuers?: TrustedIssuerList;
}

export interface Admin extends Authenticated {
  grants: AdminGrants;
}

export type Handler = Stage<Admin, Answered>;

/** Names the call in its audit record: the contract uid it concerns and the provider whose namespace it is. */
export function auditAs<T extends Received>(r: T, operation: string, uid?: string, provider?: string | null): T {
  r.auditAs = {
    operation,
    action: 'manageContracts',
    targets: { entityIds: uid ? [uid] : [], types: [], attrs: [] },
    ...(provider ? { providers: [provider] } : {}),
  };
  return r;
}

/** The caller may use the admin API: it holds `manageContracts`, or acts for some provider. */
export function authorizeAdmin(deps: Pick<AdminDeps, 'roles' | 'providers'>): Stage<Authenticated, Admin> {
  return (r) => {
    const grants = adminGrants(deps.roles(), r.token.roles, deps.providers);
    if (!grants.operator && grants.providers.size === 0) {
      throw new MimtrustError('FORBIDDEN', 'No role of the caller allows managing contracts.', { reason: 'role_denied' });
    }
    return Object.assign(r, { grants });
  };
}

/** The city's contract administration only (`manageContracts` in the default tenant). */
export function requireOperator(r: Admin): void {
  if (!r.grants.operator) {
    throw new MimtrustError('FORBIDDEN', 'Only the operator\'s contract administration (manageContracts) may do this.', { reason: 'operator_only' });
  }
}

/** Contract errors are the caller's own input: 400, 403 beyond what the provider owns, 409 for a taken uid. */
export async function contractCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ContractError) throw err.toMimtrustError();
    throw err;
  }
}

const readContract = bodyValidator<JsonObject>(contractDocumentSchema, 'contract document');

/** A contract document as the routes declare it (schemas.ts); the contract rules check the rest. */
export function contractDocument(body: unknown): JsonObject {
  return readContract(body);
}
