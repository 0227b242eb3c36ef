/**
 * Reads a body stream (a Node stream or a web ReadableStream) up to `max` bytes. Returns
 * undefined as soon as it would exceed the bound; leaving the loop early cancels or
 * destroys the stream, so nothing more is read.
 */
export async function readBounded(source: AsyncIterable<Uint8Array>, max: number): Promise<Buffer | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return chunks.length === 1 && Buffer.isBuffer(chunks[0]) ? chunks[0] : Buffer.concat(chunks, size);
}
