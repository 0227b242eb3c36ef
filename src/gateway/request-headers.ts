/**
 * Node keeps only the first of repeated `Authorization` headers and drops the rest
 * silently, so a request carrying two credentials would be judged on one of them. The
 * raw header list still has them all: here they are put back as a list, for the
 * authentication step to refuse.
 */
export function withRepeatedAuthorization(
  headers: Record<string, string | string[] | undefined>,
  rawHeaders: readonly string[],
): Record<string, string | string[] | undefined> {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === 'authorization') values.push(rawHeaders[i + 1] as string);
  }
  return values.length > 1 ? { ...headers, authorization: values } : headers;
}
