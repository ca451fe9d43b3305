// Entering a rollout's step: once per step, whoever asks (the engine on a Pass, a pipeline's start,
// a person's promote) and however many race. The rollout_steps row, unique per deployment and
// step, is claimed in the transaction that moves the deployment; only the claimant calls the
// promote hooks. The last step (100%) promotes the deployment.

import type pg from 'pg';
import type { AlertsConfig } from '../config/schema.ts';
import { enqueueDeploymentNotice } from '../engine/outbox.ts';
import type { HookResult, PromotePayload } from '../hooks/call-hook.ts';
import { deploymentLink } from '../hooks/rollback.ts';
import { type HooksStatus, hookLines, runHooks } from '../hooks/run-hooks.ts';

export interface EnterStepRequest {
  projectId: string;
  projectName: string;
  deployment: string;
  /** The step's index, or 'final' for 100% (a person promoting at once). */
  toStep: number | 'final';
  trigger: 'start' | 'judge' | 'manual';
  reason: string;
  /** When the step starts (the engine's clock); now when left out. */
  at?: Date;
}

export type EnterStepOutcome =
  | {
      entered: true;
      stepId: string;
      step: number;
      weight: number;
      final: boolean;
      status: HooksStatus;
      hooks: HookResult[];
    }
  | { entered: false; reason: 'unknown_deployment' | 'not_running' | 'not_a_rollout' | 'already_entered' };

type Claimed = {
  stepId: string;
  key: string;
  step: number;
  steps: number[];
  weight: number;
  final: boolean;
  baseline: string | null;
};

async function claimStep(
  pool: pg.Pool,
  request: EnterStepRequest,
): Promise<Claimed | Exclude<EnterStepOutcome, { entered: true }>> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{
      id: string;
      baseline: string | null;
      state: string;
      steps: number[] | null;
      step: number | null;
    }>(
      `select id, baseline, state, steps::float8[] as steps, step from deployments where project_id = $1 and name = $2 for update`,
      [request.projectId, request.deployment],
    );
    const deployment = rows[0];
    const refuse = async (reason: Exclude<EnterStepOutcome, { entered: true }>['reason']) => {
      await client.query('rollback');
      return { entered: false as const, reason };
    };
    if (!deployment) return refuse('unknown_deployment');
    if (!deployment.steps) return refuse('not_a_rollout');
    if (deployment.state !== 'running') return refuse('not_running');
    const step = request.toStep === 'final' ? deployment.steps.length - 1 : request.toStep;
    if (step >= deployment.steps.length || (deployment.step !== null && step <= deployment.step))
      return refuse('already_entered');
    const weight = deployment.steps[step]!;
    const final = step === deployment.steps.length - 1;
    const key = `vigil-step-${deployment.id}-${step}`;
    const inserted = await client.query<{ id: string }>(
      `insert into rollout_steps (project_id, deployment_id, step, weight, idempotency_key, trigger, reason)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing returning id`,
      [request.projectId, deployment.id, step, weight, key, request.trigger, request.reason.slice(0, 500)],
    );
    if (!inserted.rows[0]) return refuse('already_entered');
    // The step is judged afresh: its verdict and hold start over.
    await client.query(
      `update deployments set step = $2, weight = $3, step_started_at = $5, held_paged_at = null,
              verdict = null, score = null, judged_at = null,
              state = case when $4 then 'promoted' else state end,
              ended_at = case when $4 then $5 else ended_at end
        where id = $1`,
      [deployment.id, step, weight, final, request.at ?? new Date()],
    );
    await client.query('commit');
    return {
      stepId: inserted.rows[0].id,
      key,
      step,
      steps: deployment.steps,
      weight,
      final,
      baseline: deployment.baseline,
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export async function enterStep(
  pool: pg.Pool,
  config: AlertsConfig,
  request: EnterStepRequest,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EnterStepOutcome> {
  const claimed = await claimStep(pool, request);
  if ('entered' in claimed) return claimed;
  const payload: PromotePayload = {
    event: 'vigil.promote',
    idempotencyKey: claimed.key,
    project: request.projectName,
    deployment: request.deployment,
    baseline: claimed.baseline,
    step: claimed.step,
    weight: claimed.weight,
    final: claimed.final,
    reason: `${request.trigger}: ${request.reason}`,
    at: new Date().toISOString(),
  };
  const { status, hooks } = await runHooks(
    pool,
    config.promoteHooks,
    payload,
    { projectId: request.projectId, kind: 'step', id: claimed.stepId },
    env,
  );
  await enqueueDeploymentNotice(
    pool,
    config,
    request.projectId,
    {
      kind: 'step',
      project: request.projectName,
      deployment: request.deployment,
      trigger: request.trigger,
      reason: request.reason,
      hooks: hookLines(hooks),
      link: deploymentLink(config, request.projectName, request.deployment),
      step: { number: claimed.step + 1, of: claimed.steps.length, weight: claimed.weight },
    },
    // A step whose hooks failed did not happen where traffic is split: someone must look.
    status === 'succeeded' ? 'ticket' : 'page',
    undefined,
    request.at?.getTime(),
  );
  return {
    entered: true,
    stepId: claimed.stepId,
    step: claimed.step,
    weight: claimed.weight,
    final: claimed.final,
    status,
    hooks,
  };
}
