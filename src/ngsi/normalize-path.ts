/**
 * Path canonicalisation. The gateway decides on decoded path segments and forwards a path
 * rebuilt from exactly those segments, so no later decoding step (in a proxy or in the
 * broker) can make the forwarded path mean something that was not checked. Anything that
 * different servers normalise differently (dot segments, doubled slashes, backslashes,
 * encoded dots) is refused instead of normalised.
 *
 * One trailing slash is the exception: the ETSI specification writes its resource URIs with
 * one (`/ngsi-ld/v1/entities/`) and some brokers route only that form (Cassiopeia) while
 * others route only the bare form. Both classify to the same resource, and the broker
 * receives the form the caller sent, so the gateway neither breaks a broker nor adds a
 * spelling of its own.
 */
import { MimtrustError } from '../errors/index.js';
import { decodeStrict, encodeComponent } from './percent.js';

export interface BasePath {
  /** Decoded segments of the API base, e.g. ['ngsi-ld', 'v1']. */
  segments: readonly string[];
  /** The base re-encoded, e.g. '/ngsi-ld/v1'. */
  canonical: string;
}

export interface NormalizedPath {
  /** Decoded segments after the API base. */
  segments: string[];
  /** The whole canonical path, base included, with the caller's trailing slash if any: what is forwarded. */
  path: string;
  /** The raw query string (without '?'), still encoded. */
  rawQuery: string;
}

function notCanonical(): MimtrustError {
  return new MimtrustError('BAD_REQUEST', 'The request path is not in canonical form.', { reason: 'path_not_canonical' });
}

export function unknownPath(): MimtrustError {
  return new MimtrustError('NOT_FOUND', 'No NGSI-LD resource exists at this path.', { reason: 'unknown_path' });
}

function isDotSegment(s: string): boolean {
  return s === '.' || s === '..';
}

// RFC 3986 pchar less '%': a segment of only these decodes to itself and holds no
// backslash, slash or control character, so only a dot segment is left to refuse. Most
// paths are made of such segments alone.
const PLAIN_SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]+$/;

/** Decodes one raw segment, refusing anything that could be read as a different path. */
function decodeSegment(raw: string): string {
  if (PLAIN_SEGMENT.test(raw)) {
    if (isDotSegment(raw)) throw notCanonical();
    return raw;
  }
  if (raw === '') throw notCanonical();
  const decoded = decodeStrict(raw);
  if (decoded === undefined || decoded.includes('\\') || isDotSegment(decoded)) throw notCanonical();
  // An encoded '/' is legitimate inside an identifier, but a server that decodes it before
  // routing would then see dot segments; refuse those.
  if (decoded.includes('/') && decoded.split('/').some(isDotSegment)) throw notCanonical();
  return decoded;
}

/** Validates the configured API base once, at load time. */
export function compileBasePath(basePath: string): BasePath {
  if (!basePath.startsWith('/') || basePath.endsWith('/')) {
    throw new MimtrustError('INTERNAL', 'The NGSI-LD base path must start with "/" and not end with one.', { reason: 'invalid_base_path' });
  }
  let segments: string[];
  try {
    segments = basePath.slice(1).split('/').map(decodeSegment);
  } catch (err) {
    throw new MimtrustError('INTERNAL', 'The NGSI-LD base path is not canonical.', { reason: 'invalid_base_path', cause: err });
  }
  return { segments, canonical: '/' + segments.map(encodeComponent).join('/') };
}

export interface RequestTarget {
  /** The path as received, still encoded. */
  rawPath: string;
  /** The raw query string (without '?'), still encoded. */
  rawQuery: string;
}

/** Splits the request target into its raw path and query, refusing what no client sends. */
export function splitTarget(url: string): RequestTarget {
  // A fragment never travels in a request target; a raw '#' is a sign of smuggling.
  if (!url.startsWith('/') || url.includes('#')) throw notCanonical();
  const q = url.indexOf('?');
  return q === -1 ? { rawPath: url, rawQuery: '' } : { rawPath: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

/** Checks and decodes a raw path (as `splitTarget` gives it) and strips the API base. */
export function normalizeRawPath(rawPath: string, base: BasePath): Omit<NormalizedPath, 'rawQuery'> {
  if (rawPath === '/') throw unknownPath();

  const raw = rawPath.slice(1).split('/');
  // One empty last segment is the trailing slash; any other empty segment is refused below.
  const trailingSlash = raw.length > 1 && raw[raw.length - 1] === '';
  if (trailingSlash) raw.pop();
  // Decoded in place: one array fewer on the request path.
  const decoded = raw;
  for (let i = 0; i < decoded.length; i++) decoded[i] = decodeSegment(decoded[i] as string);
  const baseSegs = base.segments;
  if (decoded.length < baseSegs.length) throw unknownPath();
  for (let i = 0; i < baseSegs.length; i++) {
    if (decoded[i] !== baseSegs[i]) throw unknownPath();
  }
  const segments = decoded.slice(baseSegs.length);
  // The API base alone, with or without a slash, names no resource.
  if (segments.length === 0) throw unknownPath();
  let path = base.canonical;
  for (const s of segments) path += '/' + encodeComponent(s);
  if (trailingSlash) path += '/';
  return { segments, path };
}

/** Splits the request target, checks and decodes the path, and strips the API base. */
export function normalizePath(url: string, base: BasePath): NormalizedPath {
  const { rawPath, rawQuery } = splitTarget(url);
  const { segments, path } = normalizeRawPath(rawPath, base);
  return { segments, path, rawQuery };
}
