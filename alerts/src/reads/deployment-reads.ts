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
  /** A stepped rollout: its steps, the one it is on, when the next may come, and each step entered. */
  rollout: {
    steps: number[];
    step: number | null;
    stepStartedAt: string | null;
    /** The soonest the judge may move it on: the step's start plus its minimum time. */
    nextStepNotBefore: string | null;
    cohort: 'traffic' | 'tenants';
    tenants: string[];
    entered: { step: number; weight: number; trigger: string; reason: string; status: string; at: string }[];
  } | null;
}

/** A rollout_steps row as the query's json_build_object writes it. */
interface EnteredStepJson {
  step: number;
  weight: number;
  trigger: string;
  reason: string;
  status: string;
  at: string;
}

/** Deployments, newest first, with their latest verdict and rollback. */
export async function readDeployments(pool: pg.Pool, caller: Caller, input: DeploymentsQuery): Promise<Deployment[]> {
  const q = deploymentsQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query(
      `select d.name, d.baseline, d.weight::float8 as weight, d.state, d.source, d.started_at, d.verdict, d.score::float8 as score, d.judged_at, d.judgement,
              d.steps::float8[] as steps, d.step, d.step_started_at, d.min_step_time_ms::float8 as min_step_time_ms, d.cohort, d.cohort_tenants,
              r.trigger, r.reason, r.status, r.created_at as rolled_back_at,
              (select coalesce(json_agg(json_build_object('step', s.step, 'weight', s.weight::float8, 'trigger', s.trigger,
                        'reason', s.reason, 'status', s.status, 'at', s.created_at) order by s.step), '[]')
                 from rollout_steps s where s.deployment_id = d.id) as entered
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
      rollout: r.steps
        ? {
            steps: r.steps,
            step: r.step,
            stepStartedAt: r.step_started_at?.toISOString() ?? null,
            nextStepNotBefore:
              r.state === 'running' && r.step_started_at && r.min_step_time_ms !== null
                ? new Date(r.step_started_at.getTime() + r.min_step_time_ms).toISOString()
                : null,
            cohort: r.cohort,
            tenants: r.cohort_tenants,
            entered: r.entered.map((e: EnteredStepJson) => ({
              step: e.step,
              weight: e.weight,
              trigger: e.trigger,
              reason: e.reason,
              status: e.status,
              at: new Date(e.at).toISOString(),
            })),
          }
        : null,
    }));
  });
}
