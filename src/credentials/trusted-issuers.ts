/**
 * The trusted issuers list: who may vouch for an organisation, for which credential types,
 * which claims give which roles, and when. A credential that an issuer not on the list
 * signed, of a type it is not trusted for, outside the window of its trust, or whose
 * subject holds no claim the list maps to roles, gives nothing: the answer is a
 * CredentialError, never an empty set of roles.
 */
import type { TrustedIssuerSettings } from '../config/index.js';
import { isObject } from '../lib/index.js';
import { CredentialError } from './errors.js';

/** What a trusted credential says about the organisation it is about. */
export interface TrustedClaims {
  /** The credential subject's id: the organisation's DID. */
  organisation: string;
  roles: string[];
  /** The issuer that vouched for it. */
  issuer: string;
}

const idOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : isObject(v) && typeof v['id'] === 'string' ? v['id'] : undefined);
const dateOf = (v: string | null | undefined): number | undefined => (typeof v === 'string' ? Date.parse(v) : undefined);

/** The roles `credential` gives under `list` at `now`; throws a CredentialError when it gives none. */
export function trustedClaims(credential: unknown, list: readonly TrustedIssuerSettings[], now: number): TrustedClaims {
  if (!isObject(credential)) throw new CredentialError('credential_malformed', 'The credential is not a JSON object.');
  const issuer = idOf(credential['issuer']);
  const entries = list.filter((e) => e.did === issuer);
  if (issuer === undefined || entries.length === 0) throw new CredentialError('issuer_untrusted', 'The credential\'s issuer is not on the trusted issuers list.');
  const types = [credential['type']].flat().filter((t): t is string => typeof t === 'string');
  const forType = entries.filter((e) => e.credentialTypes.some((t) => types.includes(t)));
  if (forType.length === 0) throw new CredentialError('credential_type_untrusted', 'The credential\'s issuer is not trusted for this type of credential.');
  const inWindow = forType.filter((e) => {
    const from = dateOf(e.validFrom);
    const until = dateOf(e.validUntil);
    return (from === undefined || from <= now) && (until === undefined || now < until);
  });
  if (inWindow.length === 0) throw new CredentialError('issuer_trust_expired', 'The credential\'s issuer is not trusted at this time.');
  const subjects = [credential['credentialSubject']].flat();
  const subject = subjects.length === 1 && isObject(subjects[0]) ? subjects[0] : undefined;
  const organisation = idOf(subject);
  if (subject === undefined || organisation === undefined) throw new CredentialError('subject_missing', 'The credential is not about exactly one subject with an id.');
  const roles = new Set<string>();
  for (const e of inWindow) {
    for (const m of e.roles) {
      const held = [subject[m.claim]].flat();
      if (held.includes(m.value)) for (const r of m.roles) roles.add(r);
    }
  }
  if (roles.size === 0) throw new CredentialError('claims_untrusted', 'The credential holds no claim the trusted issuers list gives roles for.');
  return { organisation, roles: [...roles].sort(), issuer };
}
