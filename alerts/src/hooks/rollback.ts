// Rolling a deployment back: once per deployment, whoever asks and however many engines race.
// The rollbacks row (unique per deployment, with its idempotency key) is claimed first; only the
// claimant calls the hooks. Each attempt is recorded in rollback_hook_calls, the outcome on the
// rollback, and Slack is told.

import type pg from 'pg';
import { ENGINE_ACTOR, recordAudit } from '@vigil/core';
import type { AlertsConfig } from '../config/schema.ts';
import { enqueueDeploymentNotice } from '../engine/outbox.ts';
import type { HookResult, RollbackPayload } from './call-hook.ts';
import { hookLines, runHooks } from './run-hooks.ts';

/** The dashboard's page of one deployment, for notifications. */
export function deploymentLink(config: AlertsConfig, project: string, deployment: string): string {
  return `${config.engine.dashboardUrl}/deployments?project=${encodeURIComponent(project)}&deployment=${encodeURIComponent(deployment)}`;
}

export interface RollbackRequest {
  projectId: string;
  projectName: string;
  deployment: string;
  trigger: RollbackPayload['trigger'];
  reason: string;
  /** Who asked, for the audit log; the engine when not said (a judge's or an alert's rollback). */
  audit?: { actor: string; origin: string };
  /** When it happened: the engine's clock (which a replay walks through the past); now when not said. */
  at?: Date;
}

export type RollbackOutcome =
  | { started: true; rollbackId: string; status: 'succeeded' | 'partial' | 'failed'; hooks: HookResult[] }
  | { started: false; reason: 'already_rolled_back' | 'unknown_deployment' | 'not_running'; rollbackId?: string };

export async function rollBack(
  pool: pg.Pool,
  config: AlertsConfig,
  request: RollbackRequest,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RollbackOutcome> {
  const client = await pool.connect();
  let claimed: { rollbackId: string; deploymentId: string; baseline: string | null; key: string } | null = null;
  try {
    await client.query('begin');
    const { rows: deployments } = await client.query<{ id: string; baseline: string | null; state: string }>(
      `select id, baseline, state from deployments where project_id = $1 and name = $2 for update`,
      [request.projectId, request.deployment],
    );
    const deployment = deployments[0];
    if (!deployment) {
      await client.query('rollback');
      return { started: false, reason: 'unknown_deployment' };
    }
    // Automatic rollbacks act only on a running deployment; a person may roll back a promoted one.
    if (request.trigger !== 'manual' && deployment.state !== 'running') {
      await client.query('rollback');
      return { started: false, reason: deployment.state === 'rolled_back' ? 'already_rolled_back' : 'not_running' };
    }
    const key = `vigil-rollback-${deployment.id}`;
    const { rows } = await client.query<{ id: string }>(
      `insert into rollbacks (project_id, deployment_id, idempotency_key, trigger, reason, created_at)
       values ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now())) on conflict do nothing returning id`,
      [request.projectId, deployment.id, key, request.trigger, request.reason, request.at ?? null],
    );
    if (!rows[0]) {
      await client.query('rollback');
      const existing = await pool.query<{ id: string }>(`select id from rollbacks where deployment_id = $1`, [
        deployment.id,
      ]);
      return {
        started: false,
        reason: 'already_rolled_back',
        ...(existing.rows[0] ? { rollbackId: existing.rows[0].id } : {}),
      };
    }
    await client.query(
      `update deployments set state = 'rolled_back', ended_at = coalesce($2::timestamptz, now()) where id = $1`,
      [deployment.id, request.at ?? null],
    );
    await recordAudit(client, {
      ...(request.audit ?? { actor: ENGINE_ACTOR, origin: 'engine' }),
      projectId: request.projectId,
      action: 'deployment.rolled_back',
      target: request.deployment,
      before: { state: deployment.state },
      after: { state: 'rolled_back', trigger: request.trigger, reason: request.reason },
      ...(request.at ? { at: request.at } : {}),
    });
    await client.query('commit');
    claimed = { rollbackId: rows[0].id, deploymentId: deployment.id, baseline: deployment.baseline, key };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }

  const payload: RollbackPayload = {
    event: 'vigil.rollback',
    idempotencyKey: claimed.key,
    project: request.projectName,
    deployment: request.deployment,
    baseline: claimed.baseline,
    trigger: request.trigger,
    reason: request.reason,
    at: (request.at ?? new Date()).toISOString(),
  };
  const { status, hooks } = await runHooks(
    pool,
    config.rollbackHooks,
    payload,
    { projectId: request.projectId, kind: 'rollback', id: claimed.rollbackId },
    env,
  );
  await enqueueDeploymentNotice(
    pool,
    config,
    request.projectId,
    {
      kind: 'rollback',
      project: request.projectName,
      deployment: request.deployment,
      trigger: request.trigger,
      reason: request.reason,
      hooks: hookLines(hooks),
      link: deploymentLink(config, request.projectName, request.deployment),
    },
    'page',
    undefined,
    request.at?.getTime(),
  );
  return { started: true, rollbackId: claimed.rollbackId, status, hooks };
}
