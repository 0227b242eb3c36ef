/**
 * How short names in a contract become IRIs. The caller resolves the contract's
 * `ngsi:context` and passes an expander; without one, names fall under the NGSI-LD
 * default @vocab, as a broker would expand them with only the core context.
 */

/** Maps a term (or an IRI, returned unchanged) to its expanded IRI. */
export type TermExpander = (term: string) => string;

export const NGSI_LD_DEFAULT_VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';

const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** True for `https://…`, `urn:…`, `did:…`: anything that starts with a URI scheme. */
export function isAbsoluteIri(term: string): boolean {
  return HAS_SCHEME.test(term);
}

export const defaultExpander: TermExpander = (term) =>
  isAbsoluteIri(term) ? term : NGSI_LD_DEFAULT_VOCAB + term;
