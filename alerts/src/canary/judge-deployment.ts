// Judging one deployment now: its traffic against its baseline's over the same recent window,
// read through the query API, judged, and recorded (canary_judgements and the deployment's row).

import type pg from 'pg';
import { readSamples, SERVICE_CALLER } from '@vigil/core';
import type { CanaryConfig } from '../config/schema.ts';
import { selectorFilters } from '../slo/selector.ts';
import { type Judgement, type Samples, type Verdict, judge } from './judge.ts';

/** Where a stepped rollout stands; null for a deployment without steps. */
export interface RolloutRow {
  steps: number[];
  step: number;
  stepStartedAt: Date;
  /** The deployment's own minimum step time, if its start gave one. */
  minStepTimeMs: number | null;
  cohort: 'traffic' | 'tenants';
  tenants: string[];
  heldPagedAt: Date | null;
}

export interface DeploymentRow {
  id: string;
  projectId: string;
  name: string;
  baseline: string | null;
  startedAt: Date;
  state: string;
  rollout: RolloutRow | null;
}

/** The deployments columns toDeploymentRow reads: select these wherever a DeploymentRow is made. */
export const DEPLOYMENT_COLUMNS =
  'id, project_id, name, baseline, started_at, state, steps::float8[] as steps, step, step_started_at, min_step_time_ms::float8 as min_step_time_ms, cohort, cohort_tenants, held_paged_at';

export interface RecordedJudgement {
  verdict: Verdict;
  score: number | null;
  reason: string;
  baseline: string | null;
  judgement: Judgement | null;
  window: { from: Date; to: Date };
}

/** The baseline: the one recorded, else the busiest other deployment in the window. */
async function baselineOf(pool: pg.Pool, deployment: DeploymentRow, from: Date, to: Date): Promise<string | null> {
  if (deployment.baseline) return deployment.baseline;
  const { rows } = await pool.query<{ deployment: string }>(
    `select deployment from spans where project_id = $1 and start_time >= $2 and start_time < $3 and deployment is not null and deployment <> $4
      group by deployment order by count(*) desc limit 1`,
    [deployment.projectId, from, to, deployment.name],
  );
  return rows[0]?.deployment ?? null;
}

/**
 * When the oldest of the deployment's newest `limit` spans in the window started, if it has any.
 * Bounded above too: a span stamped ahead of the judge's clock (a skewed host) is not yet counted.
 */
async function oldestRecentCallOf(
  pool: pg.Pool,
  deployment: DeploymentRow,
  window: { from: Date; to: Date },
  limit: number,
): Promise<Date | null> {
  const { rows } = await pool.query<{ first: Date | null }>(
    `select min(start_time) as first from (
       select start_time from spans where project_id = $1 and deployment = $2 and start_time >= $3 and start_time < $4
        order by start_time desc limit $5) recent`,
    [deployment.projectId, deployment.name, window.from, window.to, limit],
  );
  return rows[0]?.first ?? null;
}

export async function judgeDeployment(
  pool: pg.Pool,
  config: CanaryConfig,
  deployment: DeploymentRow,
  now = Date.now(),
): Promise<RecordedJudgement> {
  const to = new Date(now);
  // The canary's calls in the window (its spans carry its name, so also those from before a late
  // pipeline recorded it), its newest maxSamples, and the baseline's over the same time. On a
  // rollout's later step, only the calls served at that step: a step is judged at its own weight.
  const stepFrom = deployment.rollout && deployment.rollout.step > 0 ? deployment.rollout.stepStartedAt.getTime() : 0;
  const from = new Date(Math.max(now - config.window, stepFrom));
  let result: RecordedJudgement;
  let baseline: string | null = null;
  try {
    baseline = await baselineOf(pool, deployment, from, to);
    if (!baseline) {
      result = {
        verdict: 'inconclusive',
        score: null,
        reason: 'no baseline: record one with --baseline, or run the old version beside the canary',
        baseline,
        judgement: null,
        window: { from, to },
      };
    } else {
      const since = (await oldestRecentCallOf(pool, deployment, { from, to }, config.maxSamples)) ?? from;
      const read = (name: string, limit: number) =>
        readSamples(pool, SERVICE_CALLER, {
          projectId: deployment.projectId,
          window: { from: since, to },
          filters: selectorFilters(config.selector, { deployment: [name] }),
          limit,
        });
      const [canary, base] = await Promise.all([read(deployment.name, config.maxSamples), read(baseline, 5000)]);
      const samples: Samples = {
        latency: { canary: canary.latencyMs, baseline: base.latencyMs },
        ttft: { canary: canary.ttftMs, baseline: base.ttftMs },
        errors: { canary: canary.errors, baseline: base.errors },
        cost_per_request: { canary: canary.costUsd, baseline: base.costUsd },
      };
      const judgement = judge(samples, config);
      result = {
        verdict: judgement.verdict,
        score: judgement.score,
        reason: judgement.reason,
        baseline,
        judgement,
        window: { from, to },
      };
    }
  } catch (error) {
    // Kept apart from Fail: the judge could not see, which says nothing about the canary.
    result = {
      verdict: 'error',
      score: null,
      reason: `could not read the data: ${(error as Error).message}`,
      baseline,
      judgement: null,
      window: { from, to },
    };
  }
  await pool.query(
    `insert into canary_judgements (project_id, deployment_id, at, window_from, window_to, verdict, score, reason, metrics)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      deployment.projectId,
      deployment.id,
      to,
      from,
      to,
      result.verdict,
      result.score,
      result.reason,
      JSON.stringify(result.judgement?.metrics ?? []),
    ],
  );
  await pool.query(
    `update deployments set verdict = $2, score = $3, judged_at = $4, judgement = $5, baseline = coalesce(baseline, $6) where id = $1`,
    [
      deployment.id,
      result.verdict,
      result.score,
      to,
      JSON.stringify({ reason: result.reason, metrics: result.judgement?.metrics ?? [] }),
      baseline,
    ],
  );
  return result;
}

export async function findDeployment(pool: pg.Pool, projectId: string, name: string): Promise<DeploymentRow | null> {
  const { rows } = await pool.query(
    `select ${DEPLOYMENT_COLUMNS} from deployments where project_id = $1 and name = $2`,
    [projectId, name],
  );
  return rows[0] ? toDeploymentRow(rows[0]) : null;
}

/** A deployments row, selected with DEPLOYMENT_COLUMNS, as the judge and the rollout driver take it. */
export function toDeploymentRow(r: {
  id: string;
  project_id: string;
  name: string;
  baseline: string | null;
  started_at: Date;
  state: string;
  steps: number[] | null;
  step: number | null;
  step_started_at: Date | null;
  min_step_time_ms: number | null;
  cohort: 'traffic' | 'tenants';
  cohort_tenants: string[];
  held_paged_at: Date | null;
}): DeploymentRow {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    baseline: r.baseline,
    startedAt: r.started_at,
    state: r.state,
    rollout:
      r.steps && r.step !== null && r.step_started_at
        ? {
            steps: r.steps,
            step: r.step,
            stepStartedAt: r.step_started_at,
            minStepTimeMs: r.min_step_time_ms,
            cohort: r.cohort,
            tenants: r.cohort_tenants,
            heldPagedAt: r.held_paged_at,
          }
        : null,
  };
}
