// Recording deployments and promoting them: one place for what the API, the CLI and the dashboard
// (through the API) do to a deployment's row.

import type pg from 'pg';
import type { ComparedSelector, ComparedSlices } from '../config/schema.ts';

/** A pool (the CLI, as the admin) or a caller's transaction (the API, under row-level security). */
type Queryable = pg.Pool | pg.ClientBase;

export interface StartedDeployment {
  name: string;
  baseline: string | null;
  weight: number | null;
  state: string;
  started_at: Date;
  steps: number[] | null;
}

/** A stepped rollout's plan, as recorded on its deployment (steps entered later, one by one). */
export interface RolloutPlan {
  steps: number[];
  minStepTimeMs: number;
  cohort: 'traffic' | 'tenants';
  tenants: string[];
}

/** A selector as a person reads it, and as a canary's baseline is labelled: "prompt=answer promptVersion=3". */
export function describeSelector(selector: ComparedSelector): string {
  return Object.entries(selector)
    .filter(([, values]) => values !== undefined)
    .map(([key, values]) => `${key}=${(values as string[]).join('|')}`)
    .join(' ');
}

/**
 * Records a running deployment; recording it again keeps what was known and fills in what is new.
 * A rollout's plan, once recorded, stays: starting it twice does not restart it.
 */
export async function recordDeployment(
  db: Queryable,
  projectId: string,
  deployment: {
    name: string;
    baseline?: string | undefined;
    weight?: number | undefined;
    source: 'api' | 'cli';
    rollout?: RolloutPlan | undefined;
    /** A canary and baseline as slices of traffic; the baseline's label is its selector's. */
    slices?: ComparedSlices | undefined;
    /** When it started, for a deployment recorded after the fact (the demo's past week); now otherwise. */
    startedAt?: Date | undefined;
  },
): Promise<StartedDeployment> {
  const rollout = deployment.rollout;
  const slices = deployment.slices;
  const { rows } = await db.query<StartedDeployment>(
    `insert into deployments (project_id, name, baseline, weight, source, steps, min_step_time_ms, cohort, cohort_tenants,
                              canary_selector, baseline_selector, started_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12::timestamptz, now()))
     on conflict (project_id, name) do update set baseline = coalesce(excluded.baseline, deployments.baseline),
       canary_selector = coalesce(deployments.canary_selector, excluded.canary_selector),
       baseline_selector = coalesce(deployments.baseline_selector, excluded.baseline_selector),
       weight = coalesce(excluded.weight, deployments.weight),
       steps = coalesce(deployments.steps, excluded.steps),
       min_step_time_ms = case when deployments.steps is null then excluded.min_step_time_ms else deployments.min_step_time_ms end,
       cohort = case when deployments.steps is null then excluded.cohort else deployments.cohort end,
       cohort_tenants = case when deployments.steps is null then excluded.cohort_tenants else deployments.cohort_tenants end
     returning name, baseline, weight::float8 as weight, state, started_at, steps::float8[] as steps`,
    [
      projectId,
      deployment.name,
      deployment.baseline ?? (slices ? describeSelector(slices.baseline) : null),
      deployment.weight ?? null,
      deployment.source,
      rollout?.steps ?? null,
      rollout?.minStepTimeMs ?? null,
      rollout?.cohort ?? 'traffic',
      rollout?.tenants ?? [],
      slices ? JSON.stringify(slices.canary) : null,
      slices ? JSON.stringify(slices.baseline) : null,
      deployment.startedAt ?? null,
    ],
  );
  return rows[0]!;
}

/** Marks a running deployment promoted; false when it is not running. */
export async function promoteDeployment(db: Queryable, projectId: string, name: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `update deployments set state = 'promoted', ended_at = now() where project_id = $1 and name = $2 and state = 'running'`,
    [projectId, name],
  );
  return rowCount === 1;
}
