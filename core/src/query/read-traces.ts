// Trace reads, from raw spans: recent traces with filters, and every span of one trace.

import type pg from 'pg';
import { type SpanField, type StoredSpan, selectSpanFields } from '../spans/index.ts';
import { type Caller, withCaller } from './caller.ts';
import { rawFilterSql } from './raw-filters.ts';
import { type TraceQuery, type TracesQuery, traceQuerySchema, tracesQuerySchema } from './schemas.ts';

export interface TraceSummary {
  traceId: string;
  rootName: string | null;
  start: string;
  durationMs: number;
  spans: number;
  errors: number;
  tenantId: string;
  sessionId: string | null;
  costUsd: number;
}

/** A span as the trace view shows it: the stored span's fields, its start as an ISO time. */
export type TraceSpan = Pick<StoredSpan, (typeof TRACE_SPAN_FIELDS)[number]> & { start: string };

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
    const params: unknown[] = [q.projectId, q.window.from, q.window.to];
    let where = rawFilterSql(q.filters, params);
    if (q.sessionId) {
      params.push(q.sessionId);
      where += ` and session_id = $${params.length}`;
    }
    if (q.errorsOnly) where += ` and status = 'error'`;
    if (q.minDurationMs !== undefined) {
      params.push(q.minDurationMs);
      where += ` and duration_ms >= $${params.length}`;
    }
    params.push(q.limit);
    const { rows } = await client.query(
      `with t as (
         select trace_id from spans where project_id = $1 and start_time >= $2 and start_time < $3${where}
          group by trace_id order by max(start_time) desc limit $${params.length}
       )
       select vigil_trace_hex(s.trace_id) as trace_id, (array_agg(s.name order by s.parent_span_id nulls first, s.start_time))[1] as root_name,
              min(s.start_time) as start,
              extract(epoch from max(s.start_time + s.duration_ms * interval '1 millisecond') - min(s.start_time)) * 1000 as duration_ms,
              count(*)::float8 as spans, (count(*) filter (where s.status = 'error'))::float8 as errors,
              max(s.tenant_id) as tenant_id, max(s.session_id) as session_id, coalesce(sum(s.cost_usd), 0) as cost_usd
         from spans s join t on s.trace_id = t.trace_id
        where s.project_id = $1
        group by s.trace_id order by start desc`,
      params,
    );
    return rows.map((r) => ({
      traceId: r.trace_id,
      rootName: r.root_name,
      start: r.start.toISOString(),
      durationMs: Number(r.duration_ms),
      spans: r.spans,
      errors: r.errors,
      tenantId: r.tenant_id,
      sessionId: r.session_id,
      costUsd: Number(r.cost_usd),
    }));
  });
}

/** Every span of one trace, in start order. */
export async function readTrace(pool: pg.Pool, caller: Caller, input: TraceQuery): Promise<TraceSpan[]> {
  const q = traceQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query<Omit<TraceSpan, 'start'> & { startTime: Date }>(
      `select ${selectSpanFields(TRACE_SPAN_FIELDS)}, s.start_time as "startTime"
         from spans s where s.project_id = $1 and s.trace_id = $2 order by s.start_time, s.span_id`,
      [q.projectId, q.traceId],
    );
    return rows.map(({ startTime, ...span }) => ({ ...span, start: startTime.toISOString() }));
  });
}
