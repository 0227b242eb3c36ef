/**
 * The key a per-address limit counts a client under. An IPv4 address is one key. An IPv6
 * client is keyed by its /64 prefix: a home line or a single server is handed a whole /64,
 * so counting each of its 2^64 addresses apart would give one attacker that many budgets.
 * An IPv4-mapped IPv6 address (how a dual-stack socket shows an IPv4 client) counts as the
 * IPv4 address it carries, so one client has one key whichever socket it came in on.
 * Anything that is no IP address is its own key.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function addressKey(address: string): string {
  // A zone (fe80::1%eth0) names the local interface, not the client.
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  if (isIPv4(address) || !isIPv6(bare)) return address;
  const groups = ipv6Groups(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (checked by isIPv6), a dotted IPv4 tail included. */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] => part === '' ? [] : part.split(':').flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)];
    const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
    return [(a << 8) | b, (c << 8) | d];
  });
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}
