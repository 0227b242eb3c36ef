/**
 * Node keeps only the first of repeated `Authorization` headers and joins repeated `DPoP`
 * headers with commas, so a request carrying two credentials or two proofs would be
 * judged on one of them, or on a proof that is none. The raw header list still has them
 * all: here they are put back as a list, for the authentication step to refuse.
 */
const CREDENTIAL_HEADERS = ['authorization', 'dpop'] as const;

export function withRepeatedAuthorization(
  headers: Record<string, string | string[] | undefined>,
  rawHeaders: readonly string[],
): Record<string, string | string[] | undefined> {
  let out = headers;
  for (const name of CREDENTIAL_HEADERS) {
    const values: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      if ((rawHeaders[i] as string).toLowerCase() === name) values.push(rawHeaders[i + 1] as string);
    }
    if (values.length > 1) out = { ...out, [name]: values };
  }
  return out;
}
