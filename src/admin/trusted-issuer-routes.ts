/**
 * The trusted issuers list for the operator (`/admin/trusted-issuers`): who may vouch for
 * organisations logging in with a Verifiable Presentation. The configured entries are
 * shown and left alone; the operator's own are put and removed here, each change on the
 * audit record before it is made.
 */
import { MimtrustError } from '../errors/index.js';
import type { TrustedIssuerSettings } from '../config/index.js';
import { answer, bodyValidator, readJsonBody, recordDecision } from '../gateway/index.js';
import { auditAs, requireOperator, type AdminDeps, type Handler } from './admin-request.js';
import { trustedIssuerBody } from './schemas.js';

export const TRUSTED_ISSUERS_PATH = '/admin/trusted-issuers';

/** The list as the credentials module holds it (src/credentials/trusted-list.ts). */
export interface TrustedIssuerList {
  listed(): ListedIssuer[];
  get(did: string): ListedIssuer | undefined;
  /** True when the entry is new. */
  put(entry: TrustedIssuerSettings, now: number): Promise<boolean>;
  remove(did: string): Promise<boolean>;
}

export interface ListedIssuer {
  entry: TrustedIssuerSettings;
  source: 'config' | 'admin';
}

type Body = Omit<TrustedIssuerSettings, 'did'> & { did?: string };
const readBody = bodyValidator<Body>(trustedIssuerBody, 'trusted issuer');
const DID = /^did:(key|web):[^#?\s]+$/;

const shown = (l: ListedIssuer) => ({ ...l.entry, source: l.source });

function didOf(r: Parameters<Handler>[0]): string {
  const did = r.params.did ?? '';
  if (!DID.test(did)) throw new MimtrustError('BAD_REQUEST', 'The path does not name a did:key or did:web.', { reason: 'did_invalid', extensions: { reason: 'did_invalid' } });
  return did;
}

const configured = (what: string) => new MimtrustError('CONFLICT', `This issuer is on the configured list; only the configuration ${what}.`, { reason: 'trusted_issuer_configured', extensions: { reason: 'trusted_issuer_configured' } });

function entryOf(did: string, body: Body): TrustedIssuerSettings {
  if (body.did !== undefined && body.did !== did) throw new MimtrustError('BAD_REQUEST', 'The DID in the body differs from the one in the path.', { reason: 'did_mismatch', extensions: { reason: 'did_mismatch' } });
  for (const at of [body.validFrom, body.validUntil]) {
    if (typeof at === 'string' && Number.isNaN(Date.parse(at))) throw new MimtrustError('BAD_REQUEST', 'validFrom and validUntil are dates and times (RFC 3339).', { reason: 'date_invalid', extensions: { reason: 'date_invalid' } });
  }
  return { did, credentialTypes: body.credentialTypes, roles: body.roles, validFrom: body.validFrom ?? null, validUntil: body.validUntil ?? null };
}

export function trustedIssuerHandlers(deps: AdminDeps & { trustedIssuers: TrustedIssuerList }): Record<'list' | 'retrieve' | 'put' | 'remove', Handler> {
  const list = deps.trustedIssuers;
  return {
    list: (r) => {
      auditAs(r, 'admin.trusted-issuers.list');
      requireOperator(r);
      return answer(r, 200, list.listed().map(shown));
    },
    retrieve: (r) => {
      auditAs(r, 'admin.trusted-issuers.retrieve', r.params.did);
      requireOperator(r);
      const found = list.get(didOf(r));
      if (found === undefined) throw new MimtrustError('NOT_FOUND', 'No trusted issuer has this DID.', { reason: 'trusted_issuer_not_found', extensions: { reason: 'trusted_issuer_not_found' } });
      return answer(r, 200, shown(found));
    },
    put: async (r) => {
      auditAs(r, 'admin.trusted-issuers.put', r.params.did);
      requireOperator(r);
      const did = didOf(r);
      const entry = entryOf(did, readBody(await readJsonBody(r)));
      if (list.get(did)?.source === 'config') throw configured('changes its entry');
      await recordDecision(deps, r);
      const created = await list.put(entry, r.startedAt);
      return answer(r, created ? 201 : 200, shown({ entry, source: 'admin' }), created ? { location: `${TRUSTED_ISSUERS_PATH}/${encodeURIComponent(did)}` } : {});
    },
    remove: async (r) => {
      auditAs(r, 'admin.trusted-issuers.delete', r.params.did);
      requireOperator(r);
      const did = didOf(r);
      const found = list.get(did);
      if (found === undefined) throw new MimtrustError('NOT_FOUND', 'No trusted issuer has this DID.', { reason: 'trusted_issuer_not_found', extensions: { reason: 'trusted_issuer_not_found' } });
      if (found.source === 'config') throw configured('removes it');
      await recordDecision(deps, r);
      await list.remove(did);
      return answer(r, 204, undefined);
    },
  };
}
