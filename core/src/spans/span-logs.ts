// Log records kept with the span they name (OTLP LogRecord trace_id + span_id): an app's log lines
// written inside a span, and the GenAI events instrumentations emit as logs. The collector decides
// what a record keeps (collector/src/normalize/span-log.ts); this is the row both it and the trace
// view agree on, and its writer.

import type pg from 'pg';
import { jsonbText } from '../db/copy-text.ts';
import { spanIdInteger } from './span-id.ts';
import type { AttributeValue, Attributes } from './stored-span.ts';

export interface SpanLog {
  traceId: string;
  spanId: string;
  atMs: number;
  /** LogRecord.event_name, or the event.name attribute; '' for a plain log line. */
  name: string;
  /** OTLP SeverityNumber (1–24), 0 when unset. */
  severity: number;
  body: AttributeValue | null;
  attributes: Attributes;
  /**
   * True for the record as sent, content included (kept only where the project captures content,
   * and read only with read_content); false for the record without its content.
   */
  content: boolean;
  /** Hex md5 of the record as sent: the two rows of one record share it, and a retry repeats it. */
  digest: string;
}

/**
 * Stores records; a record already stored (a retried export) is not added again. Returns how many
 * rows were new.
 */
export async function writeSpanLogs(
  client: pg.Pool | pg.ClientBase,
  projectId: string,
  logs: readonly SpanLog[],
): Promise<number> {
  if (logs.length === 0) return 0;
  const result = await client.query(
    `insert into span_logs (project_id, trace_id, span_id, at, digest, content, name, severity, body, attributes)
     select $1, t::uuid, s, a, decode(d, 'hex'), c, n, v, b::jsonb, coalesce(x::jsonb, '{}')
       from unnest($2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::bool[], $7::text[], $8::int2[], $9::text[], $10::text[])
            as r(t, s, a, d, c, n, v, b, x)
     on conflict do nothing`,
    [
      projectId,
      logs.map((l) => l.traceId),
      logs.map((l) => spanIdInteger(l.spanId)),
      logs.map((l) => new Date(l.atMs)),
      logs.map((l) => l.digest),
      logs.map((l) => l.content),
      logs.map((l) => withoutNul(l.name)),
      logs.map((l) => l.severity),
      logs.map((l) => (l.body === null ? null : jsonbText(l.body))),
      logs.map((l) => jsonbText(l.attributes)),
    ],
  );
  return result.rowCount ?? 0;
}

/** Postgres text cannot hold NUL: dropped, as COPY's writer drops it, rather than failing the request. */
const withoutNul = (text: string) => (text.includes('\0') ? text.replaceAll('\0', '') : text);
