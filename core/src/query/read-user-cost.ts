// Cost per user and model, for a fleet of AI coding agents (each developer a user) or any app's end
// users: the model calls started in the window, from raw spans (through model_call_costs, which
// finance may read without reading spans' attributes), since rollups do not key by user.
// A window of a day reads that day's model calls for the project; the time-ordered primary key
// bounds the scan to the window. Stored model spans are the counted calls (wrappers are stored as
// category 'other').

import type pg from 'pg';
import { type Caller, withCaller } from './caller.ts';
import { valueFilterSql } from './raw-filters.ts';
import { type UserModelCostQuery, userModelCostQuerySchema } from './schemas.ts';

export interface UserModelCost {
  /** Null for calls that name no user. */
  userId: string | null;
  model: string | null;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  /** Calls whose cost is known; costUsd sums those. */
  pricedCalls: number;
  costUsd: number;
}

export async function readUserModelCost(
  pool: pg.Pool,
  caller: Caller,
  input: UserModelCostQuery,
): Promise<UserModelCost[]> {
  const q = userModelCostQuerySchema.parse(input);
  const params: unknown[] = [q.projectId, q.window.from, q.window.to, q.limit];
  const where = valueFilterSql(q.filters, params);
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query<{
      user_id: string | null;
      model: string | null;
      calls: number;
      errors: number;
      input_tokens: number;
      output_tokens: number;
      cache_read_tokens: number;
      priced_calls: number;
      cost_usd: number;
    }>(
      `select user_id, model, count(*)::float8 as calls, count(*) filter (where status = 'error')::float8 as errors,
              coalesce(sum(input_tokens), 0)::float8 as input_tokens, coalesce(sum(output_tokens), 0)::float8 as output_tokens,
              coalesce(sum(cache_read_tokens), 0)::float8 as cache_read_tokens,
              count(cost_usd)::float8 as priced_calls, coalesce(sum(cost_usd), 0)::float8 as cost_usd
         from model_call_costs
        where project_id = $1 and start_time >= $2 and start_time < $3${where}
        group by user_id, model
        order by cost_usd desc, calls desc, user_id nulls last, model
        limit $4`,
      params,
    );
    return rows.map((r) => ({
      userId: r.user_id,
      model: r.model,
      calls: r.calls,
      errors: r.errors,
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens,
      cacheReadTokens: r.cache_read_tokens,
      pricedCalls: r.priced_calls,
      costUsd: r.cost_usd,
    }));
  });
}
