// The engine's part in a stepped rollout: after each judgement of a rollout's canary, carry out
// what planRollout says (enter the next step, roll back, or hold and page once when held too long).

import type pg from 'pg';
import type { DeploymentRow, RecordedJudgement } from '../canary/judge-deployment.ts';
import type { AlertsConfig } from '../config/schema.ts';
import { enqueueDeploymentNotice } from '../engine/outbox.ts';
import { deploymentLink, rollBack } from '../hooks/rollback.ts';
import { type RolloutStepLabel, stepLabel } from '../slack/message.ts';
import { ZERO_TIME } from '../webhook/payload.ts';
import { enterStep } from './enter-step.ts';
import { planRollout, type RolloutAction } from './plan.ts';

export interface DriveContext {
  pool: pg.Pool;
  config: AlertsConfig;
  projectName: string;
  now: number;
  env?: NodeJS.ProcessEnv | undefined;
}

/** What was done: the plan's action, and whether this engine carried it out (false when another did). */
export interface Driven {
  action: RolloutAction;
  done: boolean;
}

export async function driveRollout(
  context: DriveContext,
  deployment: DeploymentRow & { rollout: NonNullable<DeploymentRow['rollout']> },
  judged: RecordedJudgement,
): Promise<Driven> {
  const { pool, config, projectName, now } = context;
  const { rollout } = deployment;
  const action = planRollout(
    {
      steps: rollout.steps,
      step: rollout.step,
      stepStartedAt: rollout.stepStartedAt.getTime(),
      minStepTimeMs: rollout.minStepTimeMs ?? config.canary.rollout.minStepTime,
      maxHoldMs: config.canary.rollout.maxHold,
      heldPagedAt: rollout.heldPagedAt?.getTime() ?? null,
    },
    judged.verdict,
    now,
  );
  const step: RolloutStepLabel = {
    number: rollout.step + 1,
    of: rollout.steps.length,
    weight: rollout.steps[rollout.step]!,
  };
  const at = stepLabel(step);
  switch (action.kind) {
    case 'advance': {
      const outcome = await enterStep(
        pool,
        config,
        {
          projectId: deployment.projectId,
          projectName,
          deployment: deployment.name,
          toStep: action.toStep,
          trigger: 'judge',
          reason: `the judge passed ${at} (score ${judged.score}): ${judged.reason}`,
          at: new Date(now),
        },
        context.env,
      );
      return { action, done: outcome.entered };
    }
    case 'rollback': {
      const outcome = await rollBack(
        pool,
        config,
        {
          projectId: deployment.projectId,
          projectName,
          deployment: deployment.name,
          trigger: 'judge',
          reason: `canary judge: Fail at ${at} (score ${judged.score}): ${judged.reason}`,
        },
        context.env,
      );
      return { action, done: outcome.started };
    }
    case 'hold':
      return { action, done: action.page ? await pageHeld(context, deployment, judged, step) : true };
    case 'wait':
      return { action, done: true };
  }
}

/** Pages once per step: the claim on held_paged_at is what keeps a second engine from paging again. */
async function pageHeld(
  context: DriveContext,
  deployment: DeploymentRow & { rollout: NonNullable<DeploymentRow['rollout']> },
  judged: RecordedJudgement,
  step: RolloutStepLabel,
): Promise<boolean> {
  const { pool, config, projectName, now } = context;
  const { rowCount } = await pool.query(
    `update deployments set held_paged_at = $3 where id = $1 and step = $2 and held_paged_at is null and state = 'running'`,
    [deployment.id, deployment.rollout.step, new Date(now)],
  );
  if (rowCount !== 1) return false;
  const link = deploymentLink(config, projectName, deployment.name);
  const reason = `no decision since ${deployment.rollout.stepStartedAt.toISOString()}: the judge says ${judged.verdict}: ${judged.reason}`;
  await enqueueDeploymentNotice(
    pool,
    config,
    deployment.projectId,
    {
      kind: 'held',
      project: projectName,
      deployment: deployment.name,
      trigger: 'judge',
      reason,
      hooks: [],
      link,
      step,
    },
    'page',
    // Pagers take alerts: a held rollout is one, so that it reaches whoever is on call.
    {
      status: 'firing',
      labels: { alertname: 'rollout_held', project: projectName, deployment: deployment.name, severity: 'page' },
      annotations: { summary: `rollout of ${deployment.name} held at ${stepLabel(step)}`, description: reason },
      startsAt: new Date(now).toISOString(),
      endsAt: ZERO_TIME,
      generatorURL: link,
      fingerprint: `rollout-held-${deployment.id}-${deployment.rollout.step}`,
    },
    now,
  );
  return true;
}
