/**
 * did:web, both ways (https://w3c-ccg.github.io/did-method-web/): the DID of a base URL,
 * and the HTTPS URL a did:web document is read from. Pure.
 */

/** A host name or IPv4 address, lower case, with an optional port, as did:web spells an authority. */
const AUTHORITY = /^([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?::([0-9]{1,5}))?$/;
const SEGMENT = /^[A-Za-z0-9._~-]+$/;

/** The did:web of an https base URL: its host, `%3A` and its port when there is one, then its path segments. */
export function didWebOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:') throw new Error('A did:web names an https origin.');
  const segments = url.pathname.split('/').filter((s) => s !== '');
  return ['did:web', url.host.replace(':', '%3A'), ...segments.map(encodeURIComponent)].join(':');
}

export interface DidWebLocation {
  /** `host` or `host:port`, as an allow-list names it. */
  authority: string;
  /** Where the DID document is. */
  url: string;
}

/** Where a did:web's document is, or undefined when the DID is not a did:web this gateway can read. */
export function didWebLocation(did: string): DidWebLocation | undefined {
  if (!did.startsWith('did:web:') || /[?#/]/.test(did)) return undefined;
  const [host, ...path] = did.slice('did:web:'.length).split(':');
  if (host === undefined) return undefined;
  const authority = host.replace(/%3A/i, ':').toLowerCase();
  const m = AUTHORITY.exec(authority);
  if (m === null || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535))) return undefined;
  const segments = path.map((s) => { try { return decodeURIComponent(s); } catch { return ''; } });
  if (segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..')) return undefined;
  const file = segments.length === 0 ? '/.well-known/did.json' : `/${segments.join('/')}/did.json`;
  return { authority, url: `https://${authority}${file}` };
}
