// Streams rows encoded in a CopyBuffer into a table with COPY FROM STDIN.

import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { CopyBuffer } from './copy-buffer.ts';

export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  data: CopyBuffer,
): Promise<void> {
  const chunks = data.finish();
  if (data.rows === 0) return;
  const stream = client.query(copyStreams.from(`copy ${table} (${columns.join(', ')}) from stdin`));
  await pipeline(Readable.from(chunks), stream);
}
