// Reading a request body within limits: the compressed size is checked while it streams in, the
// decompressed size as gunzip's chunks come out, so a gzip bomb stops at the limit.

import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { IngestFailure, OVERLOADED_RETRY_SECONDS } from '../../pipeline/ingest-failure.ts';

/** A Content-Encoding header's coding, lower-cased; none is `identity`. */
export function contentEncoding(header: string | undefined): string {
  const name = (header ?? '').trim().toLowerCase();
  return name === '' ? 'identity' : name;
}

/** The body's declared length (null when chunked); throws 413 when it is over the limit. */
export function declaredLength(request: IncomingMessage, maxBytes: number): number | null {
  const header = request.headers['content-length'];
  if (header === undefined) return null;
  const declared = Number(header);
  if (!Number.isFinite(declared)) return null;
  if (declared > maxBytes)
    throw new IngestFailure('too_large', `request body of ${declared} bytes is over the limit of ${maxBytes} bytes`);
  return declared;
}

export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  declaredLength(request, maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw new IngestFailure('too_large', `request body is over the limit of ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/**
 * Gunzips within `maxBytes` (the configured limit: 413 past it) and `allowanceBytes` (what the
 * memory in flight leaves for this request: 429 past it, as it may fit later). `inspect` sees each
 * chunk as it is inflated and may refuse the body early by throwing.
 */
export function decompress(
  body: Buffer,
  encoding: string | undefined,
  maxBytes: number,
  allowanceBytes = maxBytes,
  inspect?: (chunk: Buffer) => void,
): Promise<Buffer> {
  const name = contentEncoding(encoding);
  if (name === 'identity') return Promise.resolve(body);
  if (name !== 'gzip') {
    return Promise.reject(
      new IngestFailure('unsupported', `unsupported content-encoding "${name}": send gzip or no encoding`),
    );
  }
  const limit = Math.max(1, Math.min(maxBytes, allowanceBytes));
  // Large output chunks: every chunk is a callback on the event loop (a 64 MB body in the default
  // 16 KiB chunks is 4000 of them, 0.9 s of main-thread time over a minute of decode bombs).
  const chunkSize = Math.min(1 << 20, Math.max(64 * 1024, body.length * 8));
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip({ chunkSize });
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      reject(error);
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > limit) {
        if (limit < maxBytes)
          return fail(
            new IngestFailure(
              'overloaded',
              'too many requests decoding at once for this body to decompress, retry later',
              OVERLOADED_RETRY_SECONDS,
            ),
          );
        return fail(new IngestFailure('too_large', `decompressed body is over the limit of ${maxBytes} bytes`));
      }
      try {
        inspect?.(chunk);
      } catch (error) {
        return fail(error);
      }
      chunks.push(chunk);
    });
    gunzip.on('error', (error) => fail(new IngestFailure('invalid', `invalid gzip body: ${error.message}`)));
    gunzip.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    });
    gunzip.end(body);
  });
}
