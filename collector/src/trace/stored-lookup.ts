// The database side of trace-context resolution and late fix-ups.

import type pg from 'pg';
import {
  type ChangedSpan,
  type InheritedContext,
  NO_TENANT,
  ROLLUP_SPAN_FIELDS,
  type RollupSpan,
  selectSpanFields,
  spanIdInteger,
  storedContextOf,
  WRAPPER_FIELDS,
  WRAPPER_SET_SQL,
} from '@vigil/core';
import type { AwaitingChild, StoredLookupRequest, StoredLookupResult } from './resolve-context.ts';

export async function lookupStoredSpans(
  client: pg.ClientBase,
  projectId: string,
  request: StoredLookupRequest,
): Promise<StoredLookupResult> {
  const { rows } = await client.query<
    Pick<RollupSpan, 'traceId' | 'spanId' | 'parentSpanId' | 'category'> & InheritedContext
  >(
    `select ${selectSpanFields(['traceId', 'spanId', 'parentSpanId', 'tenantId', 'sessionId', 'userId', 'surface', 'category'])}
       from spans s
      where s.project_id = $1 and s.trace_id = any($2::uuid[]) and s.span_id = any($3::bigint[])`,
    [projectId, request.traceIds, request.spanIds.map(spanIdInteger)],
  );
  const spans: StoredLookupResult = new Map();
  for (const row of rows) {
    spans.set(row.traceId + row.spanId, {
      parentSpanId: row.parentSpanId,
      context: storedContextOf(row),
      category: row.category,
    });
  }
  return spans;
}

export interface ContextSeed {
  traceId: string;
  /** A stored span that was waiting for its parent. */
  spanId: string;
  /** The parent's resolved context, to fill in wherever the waiting subtree has none. */
  context: InheritedContext;
}

export interface FixedSpan {
  traceId: string;
  spanId: string;
  context: InheritedContext;
}

/**
 * Removes, and returns, the waiting entries of stored spans whose parent is now in the batch.
 */
export async function takeAwaitingChildren(
  client: pg.ClientBase,
  projectId: string,
  parents: readonly { traceId: string; spanId: string }[],
): Promise<AwaitingChild[]> {
  if (parents.length === 0) return [];
  const { rows } = await client.query<{
    trace_id: string;
    parent_span_id: string;
    span_id: string;
    is_model_call: boolean;
  }>(
    `delete from spans_awaiting_parent w
      using unnest($2::uuid[], $3::bigint[]) as p(trace_id, span_id)
      where w.project_id = $1 and w.trace_id = p.trace_id and w.parent_span_id = p.span_id
      returning vigil_trace_hex(w.trace_id) as trace_id, vigil_span_hex(w.parent_span_id) as parent_span_id,
                vigil_span_hex(w.span_id) as span_id, w.is_model_call`,
    [projectId, parents.map((p) => p.traceId), parents.map((p) => spanIdInteger(p.spanId))],
  );
  return rows.map((row) => ({
    traceId: row.trace_id,
    parentSpanId: row.parent_span_id,
    spanId: row.span_id,
    isModelCall: row.is_model_call,
  }));
}

/** The fields of a stored span that its rollup contribution depends on, read as a RollupSpan. */
const ROLLUP_SPAN_SQL = selectSpanFields(ROLLUP_SPAN_FIELDS);

/**
 * Fills tenant, session, user and surface into each seed's stored subtree wherever they are
 * missing (a nearer ancestor's value always wins), in spans (ai_api_calls reads them there).
 */
export async function applyLateContext(
  client: pg.ClientBase,
  projectId: string,
  seeds: ContextSeed[],
): Promise<ChangedSpan[]> {
  if (seeds.length === 0) return [];
  const traceIds = seeds.map((s) => s.traceId);
  const { rows } = await client.query<
    RollupSpan & {
      inherited_tenant: string | null;
      inherited_session: string | null;
      inherited_user: string | null;
      inherited_surface: string | null;
    }
  >(
    `with recursive subtree as (
       select t.trace_id, t.span_id, t.tenant_id, t.session_id, t.user_id, t.surface, 0 as depth
         from unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
              as t(trace_id, span_id, tenant_id, session_id, user_id, surface)
       union all
       select s.trace_id, s.span_id, subtree.tenant_id, subtree.session_id, subtree.user_id, subtree.surface, subtree.depth + 1
         from spans s join subtree on s.project_id = $1 and s.trace_id = subtree.trace_id and s.parent_span_id = subtree.span_id
        -- The trace filter lets the planner use the (project_id, trace_id) index instead of
        -- scanning every partition: a recursive CTE's row estimate is a guess.
        where subtree.depth < 10000 and s.trace_id = any($2::uuid[])
     )
     select ${ROLLUP_SPAN_SQL}, subtree.tenant_id as inherited_tenant, subtree.session_id as inherited_session,
            subtree.user_id as inherited_user, subtree.surface as inherited_surface
       from spans s join subtree on s.trace_id = subtree.trace_id and s.span_id = subtree.span_id
      where s.project_id = $1 and s.trace_id = any($2::uuid[])`,
    [
      projectId,
      traceIds,
      seeds.map((s) => spanIdInteger(s.spanId)),
      seeds.map((s) => s.context.tenantId),
      seeds.map((s) => s.context.sessionId),
      seeds.map((s) => s.context.userId),
      seeds.map((s) => s.context.surface),
    ],
  );
  const changed: ChangedSpan[] = [];
  for (const row of rows) {
    const { inherited_tenant, inherited_session, inherited_user, inherited_surface, ...before } = row;
    const after: RollupSpan = {
      ...before,
      tenantId: before.tenantId === NO_TENANT && inherited_tenant !== null ? inherited_tenant : before.tenantId,
      sessionId: before.sessionId ?? inherited_session,
      userId: before.userId ?? inherited_user,
      surface: before.surface ?? inherited_surface,
    };
    if (
      after.tenantId === before.tenantId &&
      after.sessionId === before.sessionId &&
      after.userId === before.userId &&
      after.surface === before.surface
    )
      continue;
    changed.push({ before, after });
  }
  if (changed.length === 0) return [];
  await client.query(
    `update spans s set tenant_id = v.tenant_id, session_id = v.session_id, user_id = v.user_id, surface = v.surface
       from unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
         as v(trace_id, span_id, tenant_id, session_id, user_id, surface)
      where s.project_id = $1 and s.trace_id = v.trace_id and s.span_id = v.span_id and s.trace_id = any($2::uuid[])`,
    [
      projectId,
      changed.map((c) => c.after.traceId),
      changed.map((c) => spanIdInteger(c.after.spanId)),
      changed.map((c) => c.after.tenantId),
      changed.map((c) => c.after.sessionId),
      changed.map((c) => c.after.userId),
      changed.map((c) => c.after.surface),
    ],
  );
  return changed;
}

export async function recordAwaitingParents(
  client: pg.ClientBase,
  projectId: string,
  orphans: readonly { traceId: string; parentSpanId: string; spanId: string; isModelCall: boolean }[],
): Promise<void> {
  if (orphans.length === 0) return;
  await client.query(
    `insert into spans_awaiting_parent (project_id, trace_id, parent_span_id, span_id, is_model_call)
     select $1, * from unnest($2::uuid[], $3::bigint[], $4::bigint[], $5::boolean[])
     on conflict do nothing`,
    [
      projectId,
      orphans.map((o) => o.traceId),
      orphans.map((o) => spanIdInteger(o.parentSpanId)),
      orphans.map((o) => spanIdInteger(o.spanId)),
      orphans.map((o) => o.isModelCall),
    ],
  );
}

/** Stored model spans found to wrap a model call: their usage stops counting. Returns the changes. */
export async function demoteStoredWrappers(
  client: pg.ClientBase,
  projectId: string,
  wrappers: { traceId: string; spanId: string }[],
): Promise<ChangedSpan[]> {
  if (wrappers.length === 0) return [];
  const traceIds = wrappers.map((w) => w.traceId);
  const spanIds = wrappers.map((w) => spanIdInteger(w.spanId));
  const { rows } = await client.query<RollupSpan>(
    `select ${ROLLUP_SPAN_SQL} from spans s join unnest($2::uuid[], $3::bigint[]) as w(trace_id, span_id)
        on s.trace_id = w.trace_id and s.span_id = w.span_id
      where s.project_id = $1 and s.trace_id = any($2::uuid[]) and s.category = 'model'`,
    [projectId, traceIds, spanIds],
  );
  await client.query(
    `update spans s set ${WRAPPER_SET_SQL}
       from unnest($2::uuid[], $3::bigint[]) as w(trace_id, span_id)
      where s.project_id = $1 and s.trace_id = w.trace_id and s.span_id = w.span_id and s.trace_id = any($2::uuid[])`,
    [projectId, traceIds, spanIds],
  );
  return rows.map((before) => ({ before, after: { ...before, ...WRAPPER_FIELDS } }));
}
