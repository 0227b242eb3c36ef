/**
 * Strict percent-decoding shared by the path and the query: a component is accepted only
 * when it is printable ASCII on the wire, its escapes are valid UTF-8, and the decoded
 * text holds no control character (a broker written in C may stop reading at a NUL, so
 * the gateway and the broker would no longer see the same request).
 */

// Printable ASCII without space: anything else on the wire was not encoded by a careful client.
const RAW_OK = /^[\x21-\x7e]*$/;
// C0, DEL and C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;

/** The decoded component, or undefined when it is not acceptable. */
export function decodeStrict(raw: string): string | undefined {
  if (!RAW_OK.test(raw)) return undefined;
  if (raw.indexOf('%') === -1) return raw;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return CONTROL.test(decoded) ? undefined : decoded;
}

// The characters encodeURIComponent leaves as they are.
const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]*$/;

/** encodeURIComponent, skipping the work for the common all-unreserved component. */
export function encodeComponent(s: string): string {
  return UNRESERVED.test(s) ? s : encodeURIComponent(s);
}
