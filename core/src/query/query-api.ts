// The one way the dashboard, the alert engine and the HTTP API read Vigil's data. Inputs are
// validated here; every call runs as its caller, under row-level security.

import type pg from 'pg';
import { LogHistogram } from '../histogram/log-histogram.ts';
import { DAY_MS } from '../rollups/rollup-rows.ts';
import { isTenantScoped, withCaller, type Caller } from './caller.ts';
import {
  metricsFromRollups,
  metricsFromSpans,
  publicPoint,
  type MergedPoint,
  type MetricsPoint,
  type Tokens,
} from './metrics.ts';
import type { BuiltUntil } from './plan.ts';
import type { StoredSessionRow } from '../rollups/session-rows.ts';
import type { UsageColumns } from '../rollups/usage-totals.ts';
import {
  budgetsQuerySchema,
  costByUserQuerySchema,
  costSliQuerySchema,
  samplesQuerySchema,
  alertsQuerySchema,
  deploymentsQuerySchema,
  alertHistoryQuerySchema,
  alertSamplesQuerySchema,
  distributionQuerySchema,
  metricsQuerySchema,
  sliQuerySchema,
  topSessionsQuerySchema,
  traceQuerySchema,
  tracesQuerySchema,
  type BudgetsQuery,
  type CostByUserQuery,
  type CostSliQuery,
  type SamplesQuery,
  type AlertsQuery,
  type DeploymentsQuery,
  type AlertHistoryQuery,
  type AlertSamplesQuery,
  type DistributionQuery,
  type MetricsQuery,
  type SliQuery,
  type TopSessionsQuery,
  type TraceQuery,
  type TracesQuery,
} from './schemas.ts';

export interface SliResult {
  total: number;
  /** Requests at or under the threshold (when one was given). */
  good: number | null;
  goodRatio: number | null;
  errors: number;
  errorRatio: number | null;
  costUsd: number;
  requests: number;
  costPerRequest: number | null;
}

/** Per-span values, newest first, for tests that need the distributions themselves (the canary judge). */
export interface Samples {
  latencyMs: number[];
  /** Only spans that measured a time to first token. */
  ttftMs: number[];
  /** 1 for an error, 0 otherwise. */
  errors: number[];
  /** Only spans with a cost. */
  costUsd: number[];
}

export interface AlertInstance {
  fingerprint: string;
  name: string;
  kind: 'slo' | 'rule' | 'budget';
  severity: 'page' | 'ticket';
  state: string;
  since: string;
  firedAt: string | null;
  evaluatedAt: string;
  labels: Record<string, string>;
  observed: Record<string, unknown>;
}

export interface Deployment {
  name: string;
  baseline: string | null;
  weight: number | null;
  state: 'running' | 'promoted' | 'rolled_back';
  source: string;
  startedAt: string;
  verdict: string | null;
  score: number | null;
  judgedAt: string | null;
  /** The latest judgement: its reason and each metric's classification, samples, p95s and p-value. */
  judgement: { reason: string; metrics: Record<string, unknown>[] } | null;
  rollback: { trigger: string; reason: string; status: string; at: string } | null;
}

export interface TenantSessionCost {
  tenantId: string;
  sessions: number;
  /** The whole cost of those sessions, inside the window or not. */
  costUsd: number;
  costPerSession: number | null;
}

export interface AlertSample {
  /** Start of the step. */
  at: string;
  value: number | null;
}

export interface AlertHistory {
  events: { at: string; name: string; severity: string; from: string; to: string }[];
  silences: {
    id: string;
    matchers: Record<string, string>;
    startsAt: string;
    endsAt: string;
    comment: string | null;
    active: boolean;
  }[];
  notifications: {
    at: string;
    kind: string;
    severity: string;
    channel: string;
    target: string;
    status: string;
    attempts: number;
    lastError: string | null;
    sentAt: string | null;
  }[];
  hookCalls: {
    at: string;
    deployment: string;
    hook: string;
    attempt: number;
    statusCode: number | null;
    ok: boolean;
    error: string | null;
    durationMs: number;
  }[];
  judgements: { at: string; deployment: string; verdict: string; score: number | null; reason: string }[];
}

/** Counts of requests per duration bin: (previous upper bound, upperMs]. */
export interface DistributionBin {
  upperMs: number;
  count: number;
}

/** Bin edges for latency histograms: 10 ms to 5 min, four per doubling (about 19% wide). */
export const DISTRIBUTION_EDGES_MS: readonly number[] = Array.from(
  { length: 61 },
  (_, i) => Math.round(10 * 2 ** (i / 4) * 100) / 100,
).filter((v) => v <= 300_000);

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

export interface BudgetStatus {
  /** '*' is the whole project. */
  tenantId: string;
  monthlyUsd: number;
  spentUsd: number;
  forecastUsd: number;
  spentFraction: number;
  forecastFraction: number;
}

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

export interface TraceSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  serviceName: string;
  start: string;
  durationMs: number;
  category: string;
  status: string;
  statusMessage: string | null;
  tenantId: string;
  sessionId: string | null;
  userId: string | null;
  model: string | null;
  provider: string | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  attributes: Record<string, unknown>;
}

export class QueryApi {
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Quantiles, errors, tokens and cost: a series with stepMs, a breakdown with groupBy, top-N with orderBy and limit. */
  async metrics(caller: Caller, input: MetricsQuery): Promise<MetricsPoint[]> {
    return (await this.mergedMetrics(caller, input)).map(publicPoint);
  }

  /** SLI ratios for the alert engine: good/total by a latency threshold, and errors/total. */
  async sli(caller: Caller, input: SliQuery): Promise<SliResult> {
    const q = sliQuerySchema.parse(input);
    const [point] = await this.mergedMetrics(
      caller,
      { projectId: q.projectId, window: q.window, filters: q.filters, quantiles: [], exact: q.exact },
      q.thresholdMs !== undefined ? q.metric : undefined,
    );
    const metric = q.metric;
    if (!point)
      return {
        total: 0,
        good: q.thresholdMs ? 0 : null,
        goodRatio: null,
        errors: 0,
        errorRatio: null,
        costUsd: 0,
        requests: 0,
        costPerRequest: null,
      };
    const total = metric === 'latency' ? point.spans : point.ttftMs.count;
    let good: number | null = null;
    if (q.thresholdMs !== undefined) {
      const histogram = metric === 'latency' ? point.latency : point.ttft;
      good = histogram
        ? histogram.countAtOrBelow(q.thresholdMs)
        : await this.exactGood(caller, q.projectId, q.window, q.filters, metric, q.thresholdMs);
    }
    return {
      total,
      good,
      goodRatio: good !== null && total > 0 ? good / total : null,
      errors: point.errors,
      errorRatio: point.spans > 0 ? point.errors / point.spans : null,
      costUsd: point.costUsd,
      requests: point.requests,
      costPerRequest: point.costPerRequest,
    };
  }

  /** Requests over a cost limit: good/total for a cost-per-request SLO (from raw spans; rollups keep sums, not distributions of cost). */
  async costSli(caller: Caller, input: CostSliQuery): Promise<{ total: number; good: number }> {
    const q = costSliQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
      const params: unknown[] = [q.projectId, q.window.from, q.window.to, q.maxUsd];
      const where = rawFilterSql(q.filters, params);
      const { rows } = await client.query(
        `select count(*)::float8 as total, (count(*) filter (where coalesce(cost_usd, 0) <= $4))::float8 as good
           from spans where project_id = $1 and start_time >= $2 and start_time < $3${where}`,
        params,
      );
      return { total: rows[0].total, good: rows[0].good };
    });
  }

  /** The latest spans' latency, TTFT, error flag and cost in the window, for the canary judge. */
  async samples(caller: Caller, input: SamplesQuery): Promise<Samples> {
    const q = samplesQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
      const params: unknown[] = [q.projectId, q.window.from, q.window.to];
      const where = rawFilterSql(q.filters, params);
      params.push(q.limit);
      const { rows } = await client.query<{
        duration_ms: number;
        ttft_ms: number | null;
        error: number;
        cost_usd: number | null;
      }>(
        `select duration_ms, ttft_ms, (status = 'error')::int as error, cost_usd::float8 as cost_usd
           from spans where project_id = $1 and start_time >= $2 and start_time < $3${where}
          order by start_time desc limit $${params.length}`,
        params,
      );
      const samples: Samples = { latencyMs: [], ttftMs: [], errors: [], costUsd: [] };
      for (const row of rows) {
        samples.latencyMs.push(row.duration_ms);
        samples.errors.push(row.error);
        if (row.ttft_ms !== null) samples.ttftMs.push(row.ttft_ms);
        if (row.cost_usd !== null) samples.costUsd.push(row.cost_usd);
      }
      return samples;
    });
  }

  /** The alert engine's instances and their state (what the engine last saw in `observed`). */
  async alerts(caller: Caller, input: AlertsQuery): Promise<AlertInstance[]> {
    const q = alertsQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
      const { rows } = await client.query(
        `select fingerprint, alert_name, kind, severity, state, since, fired_at, evaluated_at, labels, observed from alert_instances
          where project_id = $1 ${q.activeOnly ? `and state in ('pending', 'firing', 'recovering', 'nodata', 'error')` : ''}
          order by case state when 'firing' then 0 when 'recovering' then 1 when 'pending' then 2 when 'error' then 3 when 'nodata' then 4 else 5 end,
                   severity, alert_name`,
        [q.projectId],
      );
      return rows.map((r) => ({
        fingerprint: r.fingerprint,
        name: r.alert_name,
        kind: r.kind,
        severity: r.severity,
        state: r.state,
        since: r.since.toISOString(),
        firedAt: r.fired_at?.toISOString() ?? null,
        evaluatedAt: r.evaluated_at.toISOString(),
        labels: r.labels,
        observed: r.observed,
      }));
    });
  }

  /** What the engine measured per instance over the window (burn rate for SLOs), highest per step. */
  async alertSamples(caller: Caller, input: AlertSamplesQuery): Promise<Record<string, AlertSample[]>> {
    const q = alertSamplesQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
      const { rows } = await client.query<{ fingerprint: string; step: number; value: number | null }>(
        `select fingerprint, floor(extract(epoch from at - $2::timestamptz) * 1000 / $4)::int as step, max(value) as value from alert_samples
          where project_id = $1 and at >= $2 and at < $3 and ($5::text[] is null or fingerprint = any($5))
          group by 1, 2 order by 1, 2`,
        [q.projectId, q.window.from, q.window.to, q.stepMs, q.fingerprints ?? null],
      );
      const series: Record<string, AlertSample[]> = {};
      for (const row of rows)
        (series[row.fingerprint] ??= []).push({
          at: new Date(q.window.from.getTime() + row.step * q.stepMs).toISOString(),
          value: row.value,
        });
      return series;
    });
  }

  /** Deployments, newest first, with their latest verdict and rollback. */
  async deployments(caller: Caller, input: DeploymentsQuery): Promise<Deployment[]> {
    const q = deploymentsQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
      const { rows } = await client.query(
        `select d.name, d.baseline, d.weight::float8 as weight, d.state, d.source, d.started_at, d.verdict, d.score::float8 as score, d.judged_at, d.judgement,
                r.trigger, r.reason, r.status, r.created_at as rolled_back_at
           from deployments d left join rollbacks r on r.deployment_id = d.id
          where d.project_id = $1 order by d.started_at desc limit $2`,
        [q.projectId, q.limit],
      );
      return rows.map((r) => ({
        name: r.name,
        baseline: r.baseline,
        weight: r.weight,
        state: r.state,
        source: r.source,
        startedAt: r.started_at.toISOString(),
        verdict: r.verdict,
        score: r.score,
        judgedAt: r.judged_at?.toISOString() ?? null,
        judgement: r.judgement ?? null,
        rollback: r.trigger
          ? { trigger: r.trigger, reason: r.reason, status: r.status, at: r.rolled_back_at.toISOString() }
          : null,
      }));
    });
  }

  /** The window's distribution of latency or TTFT in fixed log-spaced bins (from the rollups' histograms). */
  async distribution(caller: Caller, input: DistributionQuery): Promise<DistributionBin[]> {
    const q = distributionQuerySchema.parse(input);
    const [point] = await this.mergedMetrics(
      caller,
      { projectId: q.projectId, window: q.window, filters: q.filters, quantiles: [] },
      q.metric,
    );
    const histogram = q.metric === 'latency' ? point?.latency : point?.ttft;
    if (!histogram || histogram.isEmpty()) return [];
    const bins: DistributionBin[] = [];
    let below = 0;
    for (const edge of DISTRIBUTION_EDGES_MS) {
      const atOrBelow = histogram.countAtOrBelow(edge);
      bins.push({ upperMs: edge, count: atOrBelow - below });
      below = atOrBelow;
    }
    bins.push({ upperMs: Number.POSITIVE_INFINITY, count: histogram.total - below });
    // Trim empty bins at both ends: the chart shows where the requests are.
    const firstUsed = bins.findIndex((b) => b.count > 0);
    let lastUsed = bins.length - 1;
    while (lastUsed > firstUsed && bins[lastUsed]!.count === 0) lastUsed--;
    return bins.slice(firstUsed, lastUsed + 1);
  }

  /** The alert timeline, silences, and the delivery logs of notifications, rollback hooks and judgements. */
  async alertHistory(caller: Caller, input: AlertHistoryQuery): Promise<AlertHistory> {
    const q = alertHistoryQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
      const p = [q.projectId, q.limit];
      // One client, so one query at a time.
      const events = await client.query(
        `select e.at, i.alert_name, i.severity, e.from_state, e.to_state from alert_events e
           join alert_instances i on i.project_id = e.project_id and i.fingerprint = e.fingerprint
          where e.project_id = $1 order by e.at desc, e.id desc limit $2`,
        p,
      );
      const silences = await client.query(
        `select id, matchers, starts_at, ends_at, comment, (starts_at <= now() and ends_at > now()) as active from alert_silences where project_id = $1 order by ends_at desc limit $2`,
        p,
      );
      const notifications = await client.query(
        `select created_at, kind, severity, channel, target, status, attempts, last_error, sent_at from alert_notifications where project_id = $1 order by id desc limit $2`,
        p,
      );
      const hookCalls = await client.query(
        `select c.started_at, d.name, c.hook, c.attempt, c.status_code, c.ok, c.error, c.duration_ms from rollback_hook_calls c
           join rollbacks r on r.id = c.rollback_id join deployments d on d.id = r.deployment_id
          where c.project_id = $1 order by c.started_at desc, c.id desc limit $2`,
        p,
      );
      const judgements = await client.query(
        `select j.at, d.name, j.verdict, j.score::float8 as score, j.reason from canary_judgements j join deployments d on d.id = j.deployment_id
          where j.project_id = $1 order by j.at desc, j.id desc limit $2`,
        p,
      );
      return {
        events: events.rows.map((r) => ({
          at: r.at.toISOString(),
          name: r.alert_name,
          severity: r.severity,
          from: r.from_state,
          to: r.to_state,
        })),
        silences: silences.rows.map((r) => ({
          id: r.id,
          matchers: r.matchers,
          startsAt: r.starts_at.toISOString(),
          endsAt: r.ends_at.toISOString(),
          comment: r.comment,
          active: r.active,
        })),
        notifications: notifications.rows.map((r) => ({
          at: r.created_at.toISOString(),
          kind: r.kind,
          severity: r.severity,
          channel: r.channel,
          target: r.target,
          status: r.status,
          attempts: r.attempts,
          lastError: r.last_error,
          sentAt: r.sent_at?.toISOString() ?? null,
        })),
        hookCalls: hookCalls.rows.map((r) => ({
          at: r.started_at.toISOString(),
          deployment: r.name,
          hook: r.hook,
          attempt: r.attempt,
          statusCode: r.status_code,
          ok: r.ok,
          error: r.error,
          durationMs: r.duration_ms,
        })),
        judgements: judgements.rows.map((r) => ({
          at: r.at.toISOString(),
          deployment: r.name,
          verdict: r.verdict,
          score: r.score,
          reason: r.reason,
        })),
      };
    });
  }

  /** Sessions active in the window, by cost (their whole cost, not just the window's). */
  async topSessions(caller: Caller, input: TopSessionsQuery): Promise<SessionSummary[]> {
    const q = topSessionsQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
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
          (a, b) =>
            b.costUsd - a.costUsd || compareText(a.tenantId, b.tenantId) || compareText(a.sessionId, b.sessionId),
        )
        .slice(0, q.limit)
        .map(toSessionSummary);
    });
  }

  /** Cost per user: the sessions active in the window, summed by their user. */
  async costByUser(caller: Caller, input: CostByUserQuery): Promise<UserCost[]> {
    const q = costByUserQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
      const { rows } = await client.query(
        `select user_id, count(distinct (tenant_id, session_id))::float8 as sessions, ${SESSION_SUMS}
           from ${SESSIONS_IN_WINDOW} s
          group by user_id order by cost_usd desc, 1 limit $5`,
        [q.projectId, q.tenantId ?? null, q.window.from, q.window.to, q.limit],
      );
      return rows.map((r) => ({
        userId: r.user_id,
        sessions: r.sessions,
        modelCalls: r.model_calls,
        tokens: tokensOf(r),
        costUsd: r.cost_usd,
      }));
    });
  }

  /** Per tenant, the sessions active in the window and their whole cost: what a session costs. */
  async sessionCostByTenant(caller: Caller, input: CostByUserQuery): Promise<TenantSessionCost[]> {
    const q = costByUserQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
      const { rows } = await client.query<{ tenant_id: string; sessions: number; cost_usd: number }>(
        `select tenant_id, count(distinct session_id)::float8 as sessions, coalesce(sum(cost_usd), 0)::float8 as cost_usd
           from ${SESSIONS_IN_WINDOW} s
          group by tenant_id order by cost_usd desc, 1 limit $5`,
        [q.projectId, q.tenantId ?? null, q.window.from, q.window.to, q.limit],
      );
      return rows.map((r) => ({
        tenantId: r.tenant_id,
        sessions: r.sessions,
        costUsd: r.cost_usd,
        costPerSession: r.sessions > 0 ? r.cost_usd / r.sessions : null,
      }));
    });
  }

  /** Each budget's spend this month and the month-end forecast at the trailing 7-day run rate. */
  async budgets(caller: Caller, input: BudgetsQuery): Promise<{ month: string; budgets: BudgetStatus[] }> {
    const q = budgetsQuerySchema.parse(input);
    const at = q.at ?? new Date();
    const monthStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
    const monthEnd = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
    const now = Math.min(Math.ceil(at.getTime() / 60_000) * 60_000, monthEnd);
    const month = new Date(monthStart).toISOString().slice(0, 7);
    const budgets = await withCaller(
      this.pool,
      caller,
      async (client) =>
        (
          await client.query<{ tenant_id: string; monthly_usd: number }>(
            `select tenant_id, monthly_usd from budgets where project_id = $1 order by tenant_id`,
            [q.projectId],
          )
        ).rows,
    );
    if (budgets.length === 0 || now <= monthStart) return { month, budgets: [] };
    const rateFrom = Math.max(monthStart, now - 7 * DAY_MS);
    const costByTenant = async (fromMs: number) => {
      const points = await this.mergedMetrics(caller, {
        projectId: q.projectId,
        window: { from: new Date(fromMs), to: new Date(now) },
        groupBy: ['tenant_id'],
        quantiles: [],
      });
      return new Map(points.map((p) => [p.group.tenant_id ?? '', p.costUsd]));
    };
    const spent = await costByTenant(monthStart);
    const recent = rateFrom === monthStart ? spent : await costByTenant(rateFrom);
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    return {
      month,
      budgets: budgets.map((b) => {
        const spentUsd = b.tenant_id === '*' ? total(spent) : (spent.get(b.tenant_id) ?? 0);
        const recentUsd = b.tenant_id === '*' ? total(recent) : (recent.get(b.tenant_id) ?? 0);
        const forecastUsd = spentUsd + (recentUsd / (now - rateFrom)) * (monthEnd - now);
        return {
          tenantId: b.tenant_id,
          monthlyUsd: b.monthly_usd,
          spentUsd,
          forecastUsd,
          spentFraction: spentUsd / b.monthly_usd,
          forecastFraction: forecastUsd / b.monthly_usd,
        };
      }),
    };
  }

  /** Recent traces from raw spans, newest first. */
  async traces(caller: Caller, input: TracesQuery): Promise<TraceSummary[]> {
    const q = tracesQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
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
         select s.trace_id, (array_agg(s.name order by s.parent_span_id nulls first, s.start_time))[1] as root_name,
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
  async trace(caller: Caller, input: TraceQuery): Promise<TraceSpan[]> {
    const q = traceQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
      const { rows } = await client.query(
        `select span_id, parent_span_id, name, service_name, start_time, duration_ms, category, status, status_message, tenant_id,
                session_id, user_id, model, provider, ttft_ms, input_tokens, output_tokens, cost_usd, attributes
           from spans where project_id = $1 and trace_id = $2 order by start_time, span_id`,
        [q.projectId, q.traceId],
      );
      return rows.map((r) => ({
        spanId: r.span_id,
        parentSpanId: r.parent_span_id,
        name: r.name,
        serviceName: r.service_name,
        start: r.start_time.toISOString(),
        durationMs: r.duration_ms,
        category: r.category,
        status: r.status,
        statusMessage: r.status_message,
        tenantId: r.tenant_id,
        sessionId: r.session_id,
        userId: r.user_id,
        model: r.model,
        provider: r.provider,
        ttftMs: r.ttft_ms,
        inputTokens: r.input_tokens,
        outputTokens: r.output_tokens,
        costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
        attributes: r.attributes,
      }));
    });
  }

  /** thresholdOf: the distribution an SLI counts under a threshold, read even without quantiles. */
  private async mergedMetrics(
    caller: Caller,
    input: MetricsQuery,
    thresholdOf?: 'latency' | 'ttft',
  ): Promise<MergedPoint[]> {
    const q = metricsQuerySchema.parse(input);
    return withCaller(this.pool, caller, async (client) => {
      if (q.exact) return metricsFromSpans(client, q);
      return metricsFromRollups(
        client,
        { ...q, ...(thresholdOf ? { thresholdOf } : {}) },
        await builtUntil(client),
        isTenantScoped(caller),
      );
    });
  }

  private async exactGood(
    caller: Caller,
    projectId: string,
    window: { from: Date; to: Date },
    filters: Record<string, string[] | undefined>,
    metric: 'latency' | 'ttft',
    thresholdMs: number,
  ): Promise<number> {
    return withCaller(this.pool, caller, async (client) => {
      const params: unknown[] = [projectId, window.from, window.to, thresholdMs];
      const where = rawFilterSql(filters, params);
      const column = metric === 'latency' ? 'duration_ms' : 'ttft_ms';
      const { rows } = await client.query(
        `select count(*)::float8 as good from spans where project_id = $1 and start_time >= $2 and start_time < $3 and ${column} <= $4${where}`,
        params,
      );
      return rows[0].good;
    });
  }
}

/** Filters on raw spans (dimension columns are nullable there; '' matches null). */
function rawFilterSql(filters: Record<string, string[] | undefined>, params: unknown[]): string {
  let where = '';
  for (const [dimension, values] of Object.entries(filters)) {
    if (!values) continue;
    params.push(values);
    where += ` and coalesce(${dimension}, '') = any($${params.length}::text[])`;
  }
  return where;
}

async function builtUntil(client: pg.ClientBase): Promise<BuiltUntil> {
  const { rows } = await client.query<{ grain: 'hour' | 'day'; ms: number }>(
    `select grain, extract(epoch from built_until) * 1000 as ms from rollup_progress`,
  );
  const get = (grain: 'hour' | 'day') => Number(rows.find((r) => r.grain === grain)?.ms ?? 0);
  return { hour: get('hour'), day: get('day') };
}

const SESSION_METRICS = [
  'span_count',
  'error_count',
  'model_calls',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
  'model_latency_hist',
];
const sessionColumns = (alias = '') => SESSION_METRICS.map((c) => alias + c).join(', ');

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
