// Core's routes: the read API. Each is a POST of a JSON query (they are long and structured),
// answered as the token's caller under row-level security: { data: … }.

import type pg from 'pg';
import type { z } from 'zod';
import type { Caller } from '../query/caller.ts';
import { readBudgets } from '../query/read-budgets.ts';
import { readCostCoverage, readReportedCost } from '../query/read-cost.ts';
import { readMetrics, readSli } from '../query/read-metrics.ts';
import { readCostByUser, readSessionCostByTenant, readTopSessions } from '../query/read-sessions.ts';
import { readUserModelCost } from '../query/read-user-cost.ts';
import { auditQuerySchema, readAudit } from '../audit/audit-log.ts';
import { readTrace, readTraces } from '../query/read-traces.ts';
import {
  budgetsQuerySchema,
  costCoverageQuerySchema,
  metricsQuerySchema,
  reportedCostQuerySchema,
  sessionCostQuerySchema,
  sliQuerySchema,
  topSessionsQuerySchema,
  traceQuerySchema,
  tracesQuerySchema,
  userCostQuerySchema,
  userModelCostQuerySchema,
  cacheSavingsQuerySchema,
} from '../query/schemas.ts';
import { readCacheSavings } from '../query/read-cache.ts';
import type { Capability } from '../access/roles.ts';
import { type ApiRoute, defineRoute } from './route.ts';

/** A read route: POST path with a query body, answered by `read` as the caller. */
export function readRoute<Query>(
  pool: pg.Pool,
  path: string,
  summary: string,
  tag: string,
  access: Capability,
  schema: z.ZodType<Query>,
  read: (pool: pg.Pool, caller: Caller, query: Query) => Promise<unknown>,
): ApiRoute {
  return defineRoute<Query>({
    method: 'post',
    path,
    summary,
    tag,
    access,
    body: schema,
    invalidBody: 'invalid query',
    projectFromCaller: true,
    handle: async ({ caller, body }) => ({ body: { data: await read(pool, caller, body) } }),
  });
}

export function readRoutes(pool: pg.Pool): ApiRoute[] {
  return [
    readRoute(
      pool,
      '/metrics',
      'Quantiles, errors, tokens and cost: a series (stepMs), a breakdown (groupBy) or top-N (orderBy, limit)',
      'metrics',
      'read_cost',
      metricsQuerySchema,
      readMetrics,
    ),
    readRoute(
      pool,
      '/sli',
      'Good and total events under a latency or TTFT threshold, and errors',
      'metrics',
      'read_health',
      sliQuerySchema,
      readSli,
    ),
    readRoute(
      pool,
      '/sessions/top',
      'Sessions active in the window, costliest first',
      'sessions',
      'read_cost',
      topSessionsQuerySchema,
      readTopSessions,
    ),
    readRoute(
      pool,
      '/users/cost',
      'Cost per user over the sessions active in the window',
      'sessions',
      'read_cost',
      userCostQuerySchema,
      readCostByUser,
    ),
    readRoute(
      pool,
      '/audit',
      'The audit log: changes to keys, tokens, silences, deployments and prices, with who, from where, before and after',
      'audit',
      'read_audit',
      auditQuerySchema,
      readAudit,
    ),
    readRoute(
      pool,
      '/users/model-cost',
      'Cost per user and model over the model calls started in the window (an agent fleet: filter service_name)',
      'cost',
      'read_cost',
      userModelCostQuerySchema,
      readUserModelCost,
    ),
    readRoute(
      pool,
      '/tenants/session-cost',
      'Per tenant, the sessions active in the window and what a session costs',
      'sessions',
      'read_cost',
      sessionCostQuerySchema,
      readSessionCostByTenant,
    ),
    readRoute(
      pool,
      '/budgets',
      "Each budget's spend this month and its month-end forecast",
      'budgets',
      'read_cost',
      budgetsQuerySchema,
      readBudgets,
    ),
    readRoute(
      pool,
      '/cost/coverage',
      'The share of model calls priced in the window, and the models with unpriced calls (why, since when)',
      'cost',
      'read_cost',
      costCoverageQuerySchema,
      readCostCoverage,
    ),
    readRoute(
      pool,
      '/cache/savings',
      'Cache hit rate per surface, and the model spend the hits saved (hits × the surface’s mean priced model-call cost)',
      'cost',
      'read_cost',
      cacheSavingsQuerySchema,
      readCacheSavings,
    ),
    readRoute(
      pool,
      '/cost/reported',
      'Per model, the cost the emitting library reported next to the cost Vigil computed',
      'cost',
      'read_cost',
      reportedCostQuerySchema,
      readReportedCost,
    ),
    readRoute(
      pool,
      '/traces',
      'Recent traces from raw spans, newest first',
      'traces',
      'read_traces',
      tracesQuerySchema,
      readTraces,
    ),
    readRoute(
      pool,
      '/trace',
      'Every span of one trace, in start order',
      'traces',
      'read_traces',
      traceQuerySchema,
      readTrace,
    ),
  ];
}
