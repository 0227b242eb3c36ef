/**
 * Which notification endpoints a subscriber may name. The URL must use an allowed scheme
 * and host, and every address it resolves to must be public: link-local, loopback, cloud
 * metadata, private and reserved ranges are refused (loopback and private networks only
 * when configured). The same checks run when the subscription is made and again on every
 * delivery, against the address actually connected to, so a DNS answer that changes
 * after the check (rebinding) cannot reach an internal service.
 */
import { BlockList, isIP } from 'node:net';
import { MimtrustError } from '../errors/index.js';

export interface EndpointPolicy {
  allowSchemes: readonly string[];
  /** Host names: exact, `*.suffix`, or `*` for any host. */
  allowHosts: readonly string[];
  allowPrivateNetworks: boolean;
  /** Test setups only: lets endpoints on 127.0.0.0/8 and ::1 through. */
  allowLoopback: boolean;
}

function ranges(list: Array<[string, number, 'ipv4' | 'ipv6']>): BlockList {
  const b = new BlockList();
  for (const [net, prefix, family] of list) b.addSubnet(net, prefix, family);
  return b;
}

/** Never a notification endpoint, whatever the configuration. */
const ALWAYS_REFUSED = ranges([
  ['0.0.0.0', 8, 'ipv4'], // "this network", 0.0.0.0 reaches the local host
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata (169.254.169.254)
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT, includes Alibaba's metadata 100.100.100.200
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['fe80::', 10, 'ipv6'], // link-local
  ['fd00:ec2::', 32, 'ipv6'], // AWS metadata (fd00:ec2::254), inside fc00::/7 but refused even when private networks are allowed
  ['ff00::', 8, 'ipv6'], // multicast
  ['100::', 64, 'ipv6'], // discard
  ['2001::', 23, 'ipv6'], // IETF protocol assignments (Teredo, ...)
  ['2002::', 16, 'ipv6'], // 6to4 relays can carry traffic to any IPv4 address
]);

const LOOPBACK = ranges([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);

const PRIVATE = ranges([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);

const MAPPED_V4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;
const NAT64 = /^64:ff9b::(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** The IPv4 address an IPv6 address stands for (mapped or NAT64 well-known prefix), if any. */
function embeddedV4(address: string): string | undefined {
  return MAPPED_V4.exec(address)?.[1] ?? NAT64.exec(address)?.[1];
}

/** Why this address may not receive notifications, or undefined when it may. */
export function addressRefusal(address: string, policy: EndpointPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const v4 = embeddedV4(address);
    if (v4 !== undefined) return addressRefusal(v4, policy);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (ALWAYS_REFUSED.check(address, type)) return 'a link-local, metadata or reserved address';
  if (LOOPBACK.check(address, type) && !policy.allowLoopback) return 'a loopback address';
  if (PRIVATE.check(address, type) && !policy.allowPrivateNetworks) return 'a private network address';
  return undefined;
}

function refused(detail: string): MimtrustError {
  return new MimtrustError('BAD_REQUEST', `The notification endpoint is not allowed: ${detail}.`, { reason: 'endpoint_not_allowed' });
}

function hostAllowed(host: string, allow: readonly string[]): boolean {
  for (const pattern of allow) {
    const p = pattern.toLowerCase();
    if (p === '*' || p === host) return true;
    if (p.startsWith('*.') && host.endsWith(p.slice(1)) && host.length > p.length - 1) return true;
  }
  return false;
}

/** The endpoint URL's host without IPv6 brackets, lower case. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/**
 * Checks what can be checked without the network: a parseable absolute URL with an
 * allowed scheme, no credentials in it, an allowed host, and, for an IP literal, an
 * allowed address. Returns the parsed URL.
 */
export function checkEndpointUrl(uri: string, policy: EndpointPolicy): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw refused('not an absolute URL');
  }
  const scheme = url.protocol.slice(0, -1);
  if (!policy.allowSchemes.includes(scheme)) throw refused(`the scheme is not one of ${policy.allowSchemes.join(', ')}`);
  if (url.username !== '' || url.password !== '') throw refused('credentials in the URL (use receiverInfo)');
  const host = hostOf(url);
  if (!hostAllowed(host, policy.allowHosts)) throw refused('the host is not on the allow-list');
  if (isIP(host) !== 0) {
    const why = addressRefusal(host, policy);
    if (why) throw refused(why);
  } else if ((host === 'localhost' || host.endsWith('.localhost')) && !policy.allowLoopback) {
    throw refused('a loopback address');
  }
  return url;
}

/** Checks every address a host name resolves to; one refused address refuses the endpoint. */
export function checkResolved(addresses: ReadonlyArray<{ address: string }>, policy: EndpointPolicy): void {
  if (addresses.length === 0) throw refused('the host does not resolve');
  for (const a of addresses) {
    const why = addressRefusal(a.address, policy);
    if (why) throw refused(`the host resolves to ${why}`);
  }
}
