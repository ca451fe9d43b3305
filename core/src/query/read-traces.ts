// Trace reads, from raw spans: recent traces with filters, and every span of one trace.

import type pg from 'pg';
import {
  type SpanField,
  type SpanLog,
  type StoredSpan,
  selectSpanFields,
  withoutContentAttributes,
} from '../spans/index.ts';
import { type Caller, callerCan, withCaller } from './caller.ts';
import { errorsOnly, spanFilterSql } from './raw-filters.ts';
import {
  type ParsedTracesQuery,
  type TraceQuery,
  type TracesQuery,
  traceQuerySchema,
  tracesQuerySchema,
} from './schemas.ts';

export interface TraceSummary {
  traceId: string;
  rootName: string | null;
  start: string;
  /** From the first span's start to the last timed span's end; null when no span's duration is known. */
  durationMs: number | null;
  spans: number;
  errors: number;
  tenantId: string;
  sessionId: string | null;
  costUsd: number;
}

/** A span as the trace view shows it: the stored span's fields, its start as an ISO time, its logs. */
export type TraceSpan = Pick<StoredSpan, (typeof TRACE_SPAN_FIELDS)[number]> & { start: string; logs: TraceLog[] };

/** A log record kept with its span (span_logs), as the caller may read it; its digest identifies it. */
export type TraceLog = Pick<SpanLog, 'name' | 'severity' | 'body' | 'attributes' | 'digest'> & { at: string };

/** The most log records one trace view returns: the earliest, in time order. */
export const TRACE_LOG_LIMIT = 2000;

const TRACE_SPAN_FIELDS = [
  'spanId',
  'parentSpanId',
  'name',
  'serviceName',
  'durationMs',
  'category',
  'status',
  'statusMessage',
  'tenantId',
  'sessionId',
  'userId',
  'model',
  'provider',
  'ttftMs',
  'inputTokens',
  'outputTokens',
  'costUsd',
  'attributes',
] as const satisfies readonly SpanField[];

/** Recent traces from raw spans, newest first. */
export async function readTraces(pool: pg.Pool, caller: Caller, input: TracesQuery): Promise<TraceSummary[]> {
  const q = tracesQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const window = q.sessionId ? await sessionWindow(client, q.projectId, q.sessionId, q.window) : q.window;
    if (window.from >= window.to) return [];
    const params: unknown[] = [q.projectId, window.from, window.to];
    const where = await traceFilterSql(client, q, params);
    const traceIds = await newestTraceIds(client, where, params, q.limit);
    if (traceIds.length === 0) return [];
    const { rows } = await client.query(
      `select vigil_trace_hex(s.trace_id) as trace_id, (array_agg(s.name order by s.parent_span_id nulls first, s.start_time))[1] as root_name,
              min(s.start_time) as start,
              extract(epoch from max(s.start_time + s.duration_ms * interval '1 millisecond') - min(s.start_time)) * 1000 as duration_ms,
              count(*)::float8 as spans, (count(*) filter (where s.status = 'error'))::float8 as errors,
              max(s.tenant_id) as tenant_id, max(s.session_id) as session_id, coalesce(sum(s.cost_usd), 0) as cost_usd
         from spans s
        where s.project_id = $1 and s.trace_id = any($2::uuid[])
        group by s.trace_id order by start desc`,
      [q.projectId, traceIds],
    );
    return rows.map((r) => ({
      traceId: r.trace_id,
      rootName: r.root_name,
      start: r.start.toISOString(),
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      spans: r.spans,
      errors: r.errors,
      tenantId: r.tenant_id,
      sessionId: r.session_id,
      costUsd: Number(r.cost_usd),
    }));
  });
}

/** Which spans make a trace listed: the filters, errors only, its session, a minimum duration. */
async function traceFilterSql(
  client: pg.ClientBase,
  q: Pick<ParsedTracesQuery, 'projectId' | 'filters' | 'sessionId' | 'errorsOnly' | 'minDurationMs'>,
  params: unknown[],
): Promise<string> {
  let where = await spanFilterSql(client, q.projectId, q.errorsOnly ? errorsOnly(q.filters) : q.filters, params);
  if (q.sessionId) {
    params.push(q.sessionId);
    where += ` and session_id = $${params.length}`;
  }
  if (q.minDurationMs !== undefined) {
    params.push(q.minDurationMs);
    where += ` and duration_ms >= $${params.length}`;
  }
  return where;
}

/**
 * The `limit` traces whose newest matching span is newest. Spans are read newest first along the
 * spans' key (project_id, start_time, …), a batch at a time, and reading stops once that many
 * traces are seen: a trace first met in that order is met at its newest matching span, so these
 * are exactly the traces `group by trace_id order by max(start_time) desc limit n` gives, without
 * grouping the whole window (a 24-hour window at 10M spans is 330k spans; bench:query measures it).
 */
async function newestTraceIds(
  client: pg.ClientBase,
  where: string,
  params: unknown[],
  limit: number,
): Promise<string[]> {
  await client.query(
    `declare vigil_newest_spans no scroll cursor for
       select trace_id from spans where project_id = $1 and start_time >= $2 and start_time < $3${where}
        order by start_time desc`,
    params,
  );
  const seen = new Set<string>();
  // Batches grow, so a filter that few spans match costs few round trips.
  let batch = limit * 4;
  for (;;) {
    const { rows } = await client.query<{ trace_id: string }>(`fetch ${batch} from vigil_newest_spans`);
    for (const row of rows) {
      seen.add(row.trace_id);
      if (seen.size === limit) break;
    }
    if (seen.size === limit || rows.length < batch) break;
    batch = Math.min(batch * 4, 100_000);
  }
  await client.query('close vigil_newest_spans');
  return [...seen];
}

/** A second's margin either side of a session's bounds, for timestamps rounded on their way through. */
const SESSION_MARGIN_MS = 1000;

/**
 * The window narrowed to a session's first and last seen. Every span stored with a session adds to
 * its sessions row in the same transaction, and those bounds only grow, so no span of the session
 * lies outside them. A session with no row (none known) keeps the whole window.
 */
async function sessionWindow(
  client: pg.ClientBase,
  projectId: string,
  sessionId: string,
  window: { from: Date; to: Date },
): Promise<{ from: Date; to: Date }> {
  const {
    rows: [bounds],
  } = await client.query<{ first: Date | null; last: Date | null }>(
    `select min(first_seen) as first, max(last_seen) as last from sessions where project_id = $1 and session_id = $2`,
    [projectId, sessionId],
  );
  if (!bounds?.first || !bounds.last) return window;
  return {
    from: new Date(Math.max(window.from.getTime(), bounds.first.getTime() - SESSION_MARGIN_MS)),
    to: new Date(Math.min(window.to.getTime(), bounds.last.getTime() + SESSION_MARGIN_MS)),
  };
}

/** Every span of one trace, in start order. */
export async function readTrace(pool: pg.Pool, caller: Caller, input: TraceQuery): Promise<TraceSpan[]> {
  const q = traceQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query<
      Omit<TraceSpan, 'start'> & { startTime: Date; content: TraceSpan['attributes'] | null }
    >(
      `select ${selectSpanFields(TRACE_SPAN_FIELDS)}, s.start_time as "startTime", c.attributes as "content"
         from spans s
         left join span_contents c on c.project_id = s.project_id and c.trace_id = s.trace_id and c.span_id = s.span_id
        where s.project_id = $1 and s.trace_id = $2 order by s.start_time, vigil_span_hex(s.span_id)`,
      [q.projectId, q.traceId],
    );
    // Content is kept only where a project opted in, apart from the span, and row-level security
    // returns it only to roles that may read it. Spans stored before content was kept apart hold
    // it in their attributes: those are stripped here for the other roles.
    const visible = callerCan(caller, 'read_content')
      ? (attributes: TraceSpan['attributes']) => attributes
      : withoutContentAttributes;
    const logs = rows.length > 0 ? await readTraceLogs(client, q.projectId, q.traceId) : new Map();
    return rows.map(({ startTime, attributes, content, ...span }) => ({
      ...span,
      attributes: content ? { ...visible(attributes), ...content } : visible(attributes),
      start: startTime.toISOString(),
      logs: logs.get(span.spanId) ?? [],
    }));
  });
}

/**
 * A trace's log records by span. Row-level security returns a record's content row only to roles
 * that may read content; where both rows of a record are visible, the one with content is shown.
 */
async function readTraceLogs(
  client: pg.ClientBase,
  projectId: string,
  traceId: string,
): Promise<Map<string, TraceLog[]>> {
  const { rows } = await client.query<Omit<TraceLog, 'at'> & { spanId: string; at: Date }>(
    `select "spanId", at, name, severity, body, attributes, encode(digest, 'hex') as digest from (
       select distinct on (span_id, digest) vigil_span_hex(span_id) as "spanId", at, name, severity, body, attributes, digest
         from span_logs where project_id = $1 and trace_id = $2
        order by span_id, digest, content desc) l
      order by at, "spanId" limit ${TRACE_LOG_LIMIT}`,
    [projectId, traceId],
  );
  const bySpan = new Map<string, TraceLog[]>();
  for (const { spanId, at, ...log } of rows) {
    const list = bySpan.get(spanId) ?? [];
    list.push({ ...log, at: at.toISOString() });
    bySpan.set(spanId, list);
  }
  return bySpan;
}
