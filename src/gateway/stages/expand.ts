import type { ContextResolver, ActiveContext } from '../../context/index.js';
import { governedByContracts, purposeIri, type PolicyRequest } from '../../policy/index.js';
import { refuseRedefinedMembers } from '../../ngsi/index.js';
import { extend, type Classified, type Expanded } from '../exchange.js';

export interface ExpandDeps {
  /** Undefined when contracts are not enforced: roles compare no names. */
  resolver: ContextResolver | undefined;
}

/**
 * Expand: every type and attribute name becomes an IRI under the caller's @context, and the
 * decision's view of the request is built. Names are expanded only where contracts decide.
 */
export function expandNames(deps: ExpandDeps): (r: Classified) => Promise<Expanded> {
  return async (r) => {
    const { ngsi, token } = r;
    const context = deps.resolver && governedByContracts(ngsi.operation)
      ? await deps.resolver.fromRequest(r.raw.headers, r.raw.body)
      : undefined;
    if (context) refuseRedefinedMembers(ngsi.operation, (name) => context.redefines(name));
    const expand = context ? (t: string): string => context.expandTerm(t) : (t: string): string => t;
    const policy: PolicyRequest = {
      action: ngsi.action,
      operation: ngsi.operation,
      tenant: ngsi.tenant,
      subject: {
        issuer: token.issuer,
        roles: token.roles,
        ...(token.sub !== undefined ? { sub: token.sub } : {}),
        ...(token.clientId !== undefined ? { clientId: token.clientId } : {}),
        ...(token.organisation !== undefined ? { organisation: token.organisation } : {}),
        ...(r.certThumbprint !== undefined ? { certThumbprint: r.certThumbprint } : {}),
        ...(token.tenants !== undefined ? { tenants: token.tenants } : {}),
      },
      entityIds: ngsi.entityIds,
      idPatterns: ngsi.idPatterns,
      types: ngsi.types.map(expand),
      attrs: ngsi.attrs.map(expand),
      filterReads: ngsi.filterReads.map((f) => (f.attr === '*' ? f : { attr: expand(f.attr), via: f.via })),
      typeUnknown: ngsi.types.length === 0,
      now: r.startedAt,
    };
    // A purpose outside the DPV table is passed as written: it satisfies no purpose constraint.
    if (token.purpose !== undefined) policy.purpose = purposeIri(token.purpose) ?? token.purpose;
    // A recipient is a party as the token's issuer names it, like the caller itself.
    if (token.recipient !== undefined) policy.recipient = { issuer: token.issuer, id: token.recipient };
    return extend(r, { context: context satisfies ActiveContext | undefined, policy });
  };
}
