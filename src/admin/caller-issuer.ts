import { MimtrustError } from '../errors/index.js';
import type { PartyNames } from '../contracts/index.js';

/**
 * The `iss` of a described caller (dry run, who-sees-what), from the issuer name contracts
 * use: by default the first of the city's own issuers (the local one when it is enabled),
 * whose callers unprefixed party names match.
 */
export function callerIssuer(parties: PartyNames, name: string | undefined): string {
  const iss = name === undefined ? parties.cityOwn[0] : parties.byName.get(name);
  if (iss !== undefined) return iss;
  throw new MimtrustError('BAD_REQUEST', name === undefined
    ? 'No issuer is one of the city\'s own: name the caller\'s issuer (caller.issuer).'
    : 'caller.issuer is not the name of a trusted issuer.', { reason: 'dry_run_issuer_unknown' });
}
