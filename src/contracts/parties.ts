/**
 * Party names in contracts, qualified by the issuer they may come from. A caller is a
 * client id, subject or organisation *as some issuer says*: a partner issuer can put any
 * `sub` or `client_id` in its tokens, so a bare name must not match whoever claims it.
 *
 * - `@partner-idp/parking-app` is the party `parking-app` of the issuer named
 *   `partner-idp` (only that issuer's callers match);
 * - `parking-app` (no prefix) is that party at the local issuer and at every issuer marked
 *   as one of the city's own.
 *
 * A leading `@` cannot begin an IRI, URN or DID (they start with a scheme), so the prefix is
 * never mistaken for one; a party whose own name starts with `@` is written with its
 * issuer (`@local/@name`). Names resolve at load into exact `iss` values, so a decision
 * only looks its caller up by (iss, id).
 */
import { fail, type ReadContext } from './reader.js';

/** A trusted issuer as contracts name it. */
export interface TrustedIssuer {
  name: string;
  /** The exact `iss` of its tokens. */
  issuer: string;
  /** Unprefixed party names match its callers. */
  cityOwn: boolean;
}

/** The issuers party names can refer to, resolved once for a whole contract set. */
export interface PartyNames {
  /** `iss` by name. */
  readonly byName: ReadonlyMap<string, string>;
  /** The `iss` values an unprefixed name stands for. */
  readonly cityOwn: readonly string[];
}

/** Parties by issuer: exact `iss` -> client ids, subjects or organisation ids. */
export type PartySet = ReadonlyMap<string, ReadonlySet<string>>;

export const ISSUER_PREFIX = '@';
const PREFIX_END = '/';

export function partyNames(issuers: readonly TrustedIssuer[]): PartyNames {
  const byName = new Map<string, string>();
  const cityOwn: string[] = [];
  for (const i of issuers) {
    if (byName.has(i.name)) throw new TypeError(`two trusted issuers are named "${i.name}"`);
    byName.set(i.name, i.issuer);
    if (i.cityOwn) cityOwn.push(i.issuer);
  }
  return Object.freeze({ byName, cityOwn: Object.freeze(cityOwn) });
}

/** Adds one party name, as written in a contract, to `into` under each issuer it stands for. */
export function addParty(into: Map<string, Set<string>>, text: string, at: ReadContext): void {
  const add = (iss: string, id: string): void => {
    let ids = into.get(iss);
    if (!ids) into.set(iss, (ids = new Set()));
    ids.add(id);
  };
  if (!text.startsWith(ISSUER_PREFIX)) {
    for (const iss of at.parties.cityOwn) add(iss, text);
    return;
  }
  const end = text.indexOf(PREFIX_END);
  if (end === -1 || end === text.length - 1) {
    fail('ERR_CONTRACT_BAD_VALUE', at, text, `a party starting with "${ISSUER_PREFIX}" names its issuer: ${ISSUER_PREFIX}issuer-name${PREFIX_END}party`);
  }
  const name = text.slice(ISSUER_PREFIX.length, end);
  const iss = at.parties.byName.get(name);
  if (iss === undefined) {
    const known = [...at.parties.byName.keys()].join(', ') || 'none';
    fail('ERR_CONTRACT_UNKNOWN_ISSUER', at, text, `"${name}" is not the name of a trusted issuer (trusted: ${known})`);
  }
  add(iss, text.slice(end + 1));
}

/** The party names of a list, resolved. */
export function readParties(names: readonly string[], at: ReadContext): PartySet {
  const set = new Map<string, Set<string>>();
  for (const n of names) addParty(set, n, at);
  return set;
}

/** True when `id`, as `issuer` vouches for it, is one of the parties. */
export function hasParty(set: PartySet, issuer: string, id: string | undefined): boolean {
  return id !== undefined && set.get(issuer)?.has(id) === true;
}
