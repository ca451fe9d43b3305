// Session reads: the costliest sessions, cost per user and cost per session per tenant, from the
// one row per session the compactor keeps plus the pending deltas not folded in yet.

import type pg from 'pg';
import { LogHistogram } from '../histogram/log-histogram.ts';
import { SESSION_METRIC_COLUMNS, type StoredSessionRow } from '../rollups/session-rows.ts';
import type { UsageColumns } from '../rollups/usage-totals.ts';
import { type Caller, withCaller } from './caller.ts';
import type { Tokens } from './metrics.ts';
import {
  type SessionCostQuery,
  sessionCostQuerySchema,
  type TopSessionsQuery,
  topSessionsQuerySchema,
  type UserCostQuery,
  userCostQuerySchema,
} from './schemas.ts';

export interface SessionSummary {
  tenantId: string;
  sessionId: string;
  userId: string | null;
  firstSeen: string;
  lastSeen: string;
  spans: number;
  errors: number;
  modelCalls: number;
  tokens: Tokens;
  costUsd: number;
  modelLatencyP95Ms: number | null;
}

export interface UserCost {
  userId: string | null;
  sessions: number;
  modelCalls: number;
  tokens: Tokens;
  costUsd: number;
}

export interface TenantSessionCost {
  tenantId: string;
  sessions: number;
  /** The whole cost of those sessions, inside the window or not. */
  costUsd: number;
  costPerSession: number | null;
}

/** Sessions active in the window, by cost (their whole cost, not just the window's). */
export async function readTopSessions(
  pool: pg.Pool,
  caller: Caller,
  input: TopSessionsQuery,
): Promise<SessionSummary[]> {
  const q = topSessionsQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const tenant = q.tenantId ?? null;
    // Pending deltas are few; the compacted rows come in cost order from the index, enough of
    // them that no session pushed up by a pending delta can be missed.
    const { rows: pending } = await client.query<SessionRow>(
      `select tenant_id, session_id, ${SESSION_SUMS} from sessions
        where project_id = $1 and pending and ($2::text is null or tenant_id = $2) group by tenant_id, session_id`,
      [q.projectId, tenant],
    );
    const { rows: top } = await client.query<SessionRow>(
      `select tenant_id, session_id, user_id, first_seen, last_seen, ${sessionColumns()} from sessions
        where project_id = $1 and not pending and ($2::text is null or tenant_id = $2) and last_seen >= $3 and first_seen < $4
          and ($6::text is null or user_id = $6)
        order by cost_usd desc, tenant_id, session_id limit $5`,
      [q.projectId, tenant, q.window.from, q.window.to, q.limit + pending.length, q.userId ?? null],
    );
    const { rows: touched } = pending.length
      ? await client.query<SessionRow>(
          `select s.tenant_id, s.session_id, s.user_id, s.first_seen, s.last_seen, ${sessionColumns('s.')}
             from sessions s join unnest($2::text[], $3::text[]) as k(tenant_id, session_id)
               on s.tenant_id = k.tenant_id and s.session_id = k.session_id
            where s.project_id = $1 and not s.pending`,
          [q.projectId, pending.map((p) => p.tenant_id), pending.map((p) => p.session_id)],
        )
      : { rows: [] };
    const merged = new Map<string, SessionAccumulator>();
    const seen = new Set<string>();
    for (const row of [...top, ...touched]) {
      const key = row.tenant_id + '\u0001' + row.session_id;
      if (seen.has(key)) continue;
      seen.add(key);
      accumulateSession(merged, row);
    }
    for (const row of pending) accumulateSession(merged, row);
    return [...merged.values()]
      .filter(
        (s) =>
          s.spans > 0 &&
          s.lastSeenMs >= q.window.from.getTime() &&
          s.firstSeenMs < q.window.to.getTime() &&
          (q.userId === undefined || s.userId === q.userId),
      )
      .sort(
        (a, b) => b.costUsd - a.costUsd || compareText(a.tenantId, b.tenantId) || compareText(a.sessionId, b.sessionId),
      )
      .slice(0, q.limit)
      .map(toSessionSummary);
  });
}

/** Cost per user: the sessions active in the window, summed by their user. */
export async function readCostByUser(pool: pg.Pool, caller: Caller, input: UserCostQuery): Promise<UserCost[]> {
  const rows = await groupSessionsInWindow(
    pool,
    caller,
    userCostQuerySchema.parse(input),
    'user_id',
    `count(distinct (tenant_id, session_id))::float8 as sessions, ${SESSION_SUMS}`,
  );
  return rows.map((r) => ({
    userId: r.user_id,
    sessions: r.sessions,
    modelCalls: r.model_calls,
    tokens: tokensOf(r),
    costUsd: r.cost_usd,
  }));
}

/** Per tenant, the sessions active in the window and their whole cost: what a session costs. */
export async function readSessionCostByTenant(
  pool: pg.Pool,
  caller: Caller,
  input: SessionCostQuery,
): Promise<TenantSessionCost[]> {
  const rows = await groupSessionsInWindow(
    pool,
    caller,
    sessionCostQuerySchema.parse(input),
    'tenant_id',
    'count(distinct session_id)::float8 as sessions, coalesce(sum(cost_usd), 0)::float8 as cost_usd',
  );
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    sessions: r.sessions,
    costUsd: r.cost_usd,
    costPerSession: r.sessions > 0 ? r.cost_usd / r.sessions : null,
  }));
}

/** The sessions active in the window, grouped by one column and summed, costliest group first. */
async function groupSessionsInWindow(
  pool: pg.Pool,
  caller: Caller,
  q: { projectId: string; tenantId?: string | undefined; window: { from: Date; to: Date }; limit: number },
  groupBy: 'user_id' | 'tenant_id',
  sums: string,
) {
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query(
      `select ${groupBy}, ${sums} from ${SESSIONS_IN_WINDOW} s group by ${groupBy} order by cost_usd desc, 1 limit $5`,
      [q.projectId, q.tenantId ?? null, q.window.from, q.window.to, q.limit],
    );
    return rows;
  });
}

const sessionColumns = (alias = '') => SESSION_METRIC_COLUMNS.map((c) => alias + c).join(', ');

/**
 * The session rows active in the window ($3, $4) of project $1 (tenant $2 or all), with every
 * pending delta: two index scans. One `pending or (…)` condition would read the whole table.
 */
const SESSIONS_IN_WINDOW = `(
  select * from sessions where project_id = $1 and not pending and ($2::text is null or tenant_id = $2) and last_seen >= $3 and first_seen < $4
  union all
  select * from sessions where project_id = $1 and pending and ($2::text is null or tenant_id = $2))`;

const SESSION_SUMS = `min(first_seen) as first_seen, max(last_seen) as last_seen, max(user_id) as user_id,
  sum(span_count)::float8 as span_count, sum(error_count)::float8 as error_count, sum(model_calls)::float8 as model_calls,
  sum(input_tokens)::float8 as input_tokens, sum(output_tokens)::float8 as output_tokens,
  sum(cache_read_tokens)::float8 as cache_read_tokens, sum(cache_write_tokens)::float8 as cache_write_tokens,
  sum(reasoning_tokens)::float8 as reasoning_tokens, sum(cost_usd) as cost_usd, string_agg(model_latency_hist, ''::bytea) as model_latency_hist`;

type SessionRow = Omit<StoredSessionRow, 'project_id'>;

interface SessionAccumulator {
  tenantId: string;
  sessionId: string;
  userId: string | null;
  firstSeenMs: number;
  lastSeenMs: number;
  spans: number;
  errors: number;
  modelCalls: number;
  tokens: Tokens;
  costUsd: number;
  latency: LogHistogram;
}

function tokensOf(r: UsageColumns): Tokens {
  return {
    input: r.input_tokens,
    output: r.output_tokens,
    cacheRead: r.cache_read_tokens,
    cacheWrite: r.cache_write_tokens,
    reasoning: r.reasoning_tokens,
  };
}

function accumulateSession(into: Map<string, SessionAccumulator>, row: SessionRow): void {
  const key = row.tenant_id + '\u0001' + row.session_id;
  let s = into.get(key);
  if (!s) {
    s = {
      tenantId: row.tenant_id,
      sessionId: row.session_id,
      userId: null,
      firstSeenMs: Number.POSITIVE_INFINITY,
      lastSeenMs: Number.NEGATIVE_INFINITY,
      spans: 0,
      errors: 0,
      modelCalls: 0,
      tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      costUsd: 0,
      latency: new LogHistogram(),
    };
    into.set(key, s);
  }
  s.userId ??= row.user_id;
  if (row.first_seen) s.firstSeenMs = Math.min(s.firstSeenMs, row.first_seen.getTime());
  if (row.last_seen) s.lastSeenMs = Math.max(s.lastSeenMs, row.last_seen.getTime());
  s.spans += Number(row.span_count);
  s.errors += Number(row.error_count);
  s.modelCalls += Number(row.model_calls);
  const t = tokensOf(row);
  s.tokens.input += Number(t.input);
  s.tokens.output += Number(t.output);
  s.tokens.cacheRead += Number(t.cacheRead);
  s.tokens.cacheWrite += Number(t.cacheWrite);
  s.tokens.reasoning += Number(t.reasoning);
  s.costUsd += Number(row.cost_usd);
  s.latency.mergeEncoded(row.model_latency_hist);
}

function toSessionSummary(s: SessionAccumulator): SessionSummary {
  return {
    tenantId: s.tenantId,
    sessionId: s.sessionId,
    userId: s.userId,
    firstSeen: new Date(s.firstSeenMs).toISOString(),
    lastSeen: new Date(s.lastSeenMs).toISOString(),
    spans: s.spans,
    errors: s.errors,
    modelCalls: s.modelCalls,
    tokens: s.tokens,
    costUsd: s.costUsd,
    modelLatencyP95Ms: s.latency.quantile(0.95),
  };
}

/** Code-point order: a stable tie-break that does not depend on the locale. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
