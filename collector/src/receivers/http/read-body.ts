// Reading a request body within limits: the compressed size is checked while it streams in, the
// decompressed size by zlib itself (maxOutputLength), so a gzip bomb stops at the limit.

import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { HttpError } from './http-error.ts';

/** The body's declared length (null when chunked); throws 413 when it is over the limit. */
export function declaredLength(request: IncomingMessage, maxBytes: number): number | null {
  const header = request.headers['content-length'];
  if (header === undefined) return null;
  const declared = Number(header);
  if (!Number.isFinite(declared)) return null;
  if (declared > maxBytes)
    throw new HttpError(413, `request body of ${declared} bytes is over the limit of ${maxBytes} bytes`);
  return declared;
}

export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  declaredLength(request, maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw new HttpError(413, `request body is over the limit of ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

export function decompress(body: Buffer, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity' || name === '') return Promise.resolve(body);
  if (name !== 'gzip') {
    return Promise.reject(new HttpError(415, `unsupported content-encoding "${name}": send gzip or no encoding`));
  }
  return new Promise((resolve, reject) => {
    gunzip(body, { maxOutputLength: maxBytes }, (error, result) => {
      if (!error) return resolve(result);
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        reject(new HttpError(413, `decompressed body is over the limit of ${maxBytes} bytes`));
      } else {
        reject(new HttpError(400, `invalid gzip body: ${error.message}`));
      }
    });
  });
}
