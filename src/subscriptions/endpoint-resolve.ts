/**
 * The network half of the endpoint checks: resolve the host and check every address, once
 * when the subscription is made and again inside each delivery's connection (a `lookup`
 * for undici's connector), so the address connected to is always one that was checked.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { MimtrustError } from '../errors/index.js';
import { checkEndpointUrl, checkResolved, hostOf, type EndpointPolicy } from './endpoint-policy.js';

export type Resolve = (host: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** The endpoint URL checked, including where its host resolves now. */
export async function checkEndpoint(uri: string, policy: EndpointPolicy, resolve: Resolve = systemResolve): Promise<URL> {
  const url = checkEndpointUrl(uri, policy);
  const host = hostOf(url);
  if (isIP(host) !== 0) return url;
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    throw new MimtrustError('BAD_REQUEST', 'The notification endpoint is not allowed: the host does not resolve.', { reason: 'endpoint_not_allowed' });
  }
  checkResolved(addresses, policy);
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls connect options: resolves, refuses the whole connection when any
 * address is not allowed, and otherwise answers in the form the caller asked for.
 */
export function guardedLookup(policy: EndpointPolicy, resolve: Resolve = systemResolve) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        try {
          checkResolved(addresses, policy);
        } catch (err) {
          callback(Object.assign(new Error((err as Error).message), { code: 'ENDPOINT_NOT_ALLOWED' }), '');
          return;
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
