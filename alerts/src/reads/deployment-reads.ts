// Deployment reads for the dashboard and the API: deployments newest first, with their latest
// verdict and rollback.

import { type Caller, withCaller } from '@vigil/core';
import type pg from 'pg';
import { z } from 'zod';

export const deploymentsQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    limit: z.number().int().positive().max(500).default(20),
  })
  .strict();

export type DeploymentsQuery = z.input<typeof deploymentsQuerySchema>;

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

/** Deployments, newest first, with their latest verdict and rollback. */
export async function readDeployments(pool: pg.Pool, caller: Caller, input: DeploymentsQuery): Promise<Deployment[]> {
  const q = deploymentsQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
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
