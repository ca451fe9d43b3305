// Requests (traces) of a slice of traffic, one sample each, for CI gates: what one request of a
// golden-set replay cost, how long it took, whether it failed, and its model calls' TTFT. A
// request with a model call of unknown cost has an unknown cost: it is counted apart, never as $0.

import type pg from 'pg';
import { z } from 'zod';
import { type Caller, withCaller } from './caller.ts';
import { spanFilterSql } from './raw-filters.ts';
import { rawFiltersSchema, windowSchema } from './schemas.ts';

export const requestsQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    /** Which spans' traces are requests of the slice (a deployment, a service); not by category. */
    filters: rawFiltersSchema.refine(
      (f) => !f.category,
      'requests are whole traces: filter them by anything but category',
    ),
    /** The most recent requests, at most this many. */
    limit: z.number().int().positive().max(50_000).default(20_000),
  })
  .strict();

export type RequestsQuery = z.input<typeof requestsQuerySchema>;

export interface RequestSamples {
  requests: number;
  /** The root span's duration of each request whose root is stored. */
  latencyMs: number[];
  /** Each priced request's model spend (0 for a request that made no model call). */
  costUsd: number[];
  /** Requests with a model call of unknown cost. */
  unpricedRequests: number;
  /** 1 for a request whose root span failed, else 0. */
  errors: number[];
  /** Every model call's time to first token. */
  ttftMs: number[];
}

export async function readRequestSamples(pool: pg.Pool, caller: Caller, input: RequestsQuery): Promise<RequestSamples> {
  const q = requestsQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const params: unknown[] = [q.projectId, q.window.from, q.window.to];
    const where = await spanFilterSql(client, q.projectId, q.filters, params);
    params.push(q.limit);
    const { rows } = await client.query<{
      root_ms: number | null;
      root_error: boolean | null;
      model_calls: number;
      unpriced: number;
      cost_usd: number | null;
      ttft_ms: number[] | null;
    }>(
      `select max(duration_ms) filter (where parent_span_id is null) as root_ms,
              bool_or(status = 'error') filter (where parent_span_id is null) as root_error,
              count(*) filter (where category = 'model')::int as model_calls,
              count(*) filter (where category = 'model' and cost_usd is null)::int as unpriced,
              sum(cost_usd) filter (where category = 'model')::float8 as cost_usd,
              array_agg(ttft_ms) filter (where ttft_ms is not null) as ttft_ms
         from spans where project_id = $1 and start_time >= $2 and start_time < $3${where}
        group by trace_id order by min(start_time) desc limit $${params.length}`,
      params,
    );
    const samples: RequestSamples = {
      requests: rows.length,
      latencyMs: [],
      costUsd: [],
      unpricedRequests: 0,
      errors: [],
      ttftMs: [],
    };
    for (const row of rows) {
      // root_error is null only for a trace without its root; a root's duration may be unknown.
      if (row.root_error !== null) samples.errors.push(row.root_error ? 1 : 0);
      if (row.root_ms !== null) samples.latencyMs.push(row.root_ms);
      if (row.unpriced > 0) samples.unpricedRequests++;
      else samples.costUsd.push(row.model_calls === 0 ? 0 : row.cost_usd!);
      if (row.ttft_ms) samples.ttftMs.push(...row.ttft_ms.map(Number));
    }
    return samples;
  });
}
