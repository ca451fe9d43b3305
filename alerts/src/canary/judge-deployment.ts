// Judging one deployment now: its traffic against its baseline's over the same recent window,
// read through the query API, judged, and recorded (canary_judgements and the deployment's row).

import type pg from 'pg';
import { type RawFilters, readEvaluationScoresByName, readRecentStart, readSamples, SERVICE_CALLER } from '@vigil/core';
import { type CanaryConfig, type ComparedSlices, comparedSlicesSchema } from '../config/schema.ts';
import { comparedFilters, selectorFilters } from '../slo/selector.ts';
import type { RolloutPlan } from './deployments.ts';
import { type Judgement, judge, type Samples, type Sides, type Verdict } from './judge.ts';

/** Where a stepped rollout stands: its plan, the step it is on and since when; null without steps. */
export interface RolloutRow extends Omit<RolloutPlan, 'minStepTimeMs'> {
  step: number;
  stepStartedAt: Date;
  /** The deployment's own minimum step time (null only on a row written by hand). */
  minStepTimeMs: number | null;
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
  /** Null: the canary is the deployment's spans, the baseline the baseline deployment's. */
  slices: ComparedSlices | null;
}

/** The deployments columns toDeploymentRow reads: select these wherever a DeploymentRow is made. */
export const DEPLOYMENT_COLUMNS =
  'id, project_id, name, baseline, started_at, state, steps::float8[] as steps, step, step_started_at, min_step_time_ms::float8 as min_step_time_ms, cohort, cohort_tenants, held_paged_at, canary_selector, baseline_selector';

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

/** The evaluation slice of a compared selector: only single-valued keys evaluations carry. */
type Slice = Partial<Record<'deployment' | 'model' | 'promptName' | 'promptVersion', string>>;

function evaluationSlice(filters: RawFilters): Slice | null {
  const slice: Slice = {};
  const keys: [keyof RawFilters, keyof Slice][] = [
    ['deployment', 'deployment'],
    ['model', 'model'],
    ['prompt_name', 'promptName'],
    ['prompt_version', 'promptVersion'],
  ];
  for (const [dimension, field] of keys) {
    const values = filters[dimension];
    if (!values) continue;
    if (values.length !== 1) return null;
    slice[field] = values[0]!;
  }
  // Evaluation rows carry no surface, tenant or provider: such a slice cannot be matched.
  const other = Object.keys(filters).filter((k) => k !== 'category' && !keys.some(([d]) => d === k));
  return other.length || Object.keys(slice).length === 0 ? null : slice;
}

/** Each evaluation scored on both sides, with both sides' scores. */
async function evaluationSides(
  pool: pg.Pool,
  projectId: string,
  window: { from: Date; to: Date },
  canary: RawFilters,
  baseline: RawFilters,
): Promise<Map<string, Sides>> {
  const canarySlice = evaluationSlice(canary);
  const baselineSlice = evaluationSlice(baseline);
  const sides = new Map<string, Sides>();
  if (!canarySlice || !baselineSlice) return sides;
  const read = (slice: Slice) =>
    readEvaluationScoresByName(pool, SERVICE_CALLER, { projectId, window, slice, limit: 10_000 });
  const [c, b] = await Promise.all([read(canarySlice), read(baselineSlice)]);
  for (const [name, scores] of c) {
    const base = b.get(name);
    if (base) sides.set(name, { canary: scores, baseline: base });
  }
  return sides;
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
  // A canary given as slices (a prompt version, a model) is judged the same way on those slices.
  const stepFrom = deployment.rollout && deployment.rollout.step > 0 ? deployment.rollout.stepStartedAt.getTime() : 0;
  const from = new Date(Math.max(now - config.window, stepFrom));
  let result: RecordedJudgement;
  let baseline: string | null = null;
  try {
    baseline = deployment.slices ? deployment.baseline : await baselineOf(pool, deployment, from, to);
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
      const canaryFilters = deployment.slices
        ? comparedFilters(config.selector, deployment.slices.canary)
        : selectorFilters(config.selector, { deployment: [deployment.name] });
      const baselineFilters = deployment.slices
        ? comparedFilters(config.selector, deployment.slices.baseline)
        : selectorFilters(config.selector, { deployment: [baseline] });
      const since =
        (await readRecentStart(pool, SERVICE_CALLER, {
          projectId: deployment.projectId,
          window: { from, to },
          filters: canaryFilters,
          limit: config.maxSamples,
        })) ?? from;
      const read = (filters: RawFilters, limit: number) =>
        readSamples(pool, SERVICE_CALLER, {
          projectId: deployment.projectId,
          window: { from: since, to },
          filters,
          limit,
        });
      const [canary, base, evaluations] = await Promise.all([
        read(canaryFilters, config.maxSamples),
        read(baselineFilters, 5000),
        evaluationSides(pool, deployment.projectId, { from: since, to }, canaryFilters, baselineFilters),
      ]);
      const samples: Samples = {
        latency: { canary: canary.latencyMs, baseline: base.latencyMs },
        ttft: { canary: canary.ttftMs, baseline: base.ttftMs },
        errors: { canary: canary.errors, baseline: base.errors },
        cost_per_request: { canary: canary.costUsd, baseline: base.costUsd },
        evaluations,
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
  canary_selector: unknown;
  baseline_selector: unknown;
}): DeploymentRow {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    baseline: r.baseline,
    startedAt: r.started_at,
    state: r.state,
    // Written by the API from the same schema; parsed again so a hand-edited row fails loudly here.
    slices:
      r.canary_selector && r.baseline_selector
        ? comparedSlicesSchema.parse({ canary: r.canary_selector, baseline: r.baseline_selector })
        : null,
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
