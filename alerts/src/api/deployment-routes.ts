// Deployments through the API: record one (a pipeline starting a canary, or a stepped rollout),
// promote it, roll it back now (its hooks, once), list them, and say which one serves a tenant.
// Changes run as the caller under row-level security; hooks are the engine's, whoever asked.

import { ApiError, type ApiRoute, auditOfCaller, defineRoute, readRoute, recordAudit } from '@vigil/core';
import type pg from 'pg';
import { z } from 'zod';
import { promoteDeployment, recordDeployment } from '../canary/deployments.ts';
import { rollBack } from '../hooks/rollback.ts';
import { deploymentsQuerySchema, readDeployments } from '../reads/deployment-reads.ts';
import { readServing } from '../reads/serving-reads.ts';
import { enterStep } from '../rollout/enter-step.ts';
import { rolloutPlanOf, rolloutSchema } from '../rollout/schema.ts';
import { comparedSlicesSchema } from '../config/schema.ts';
import { changeAsCaller, lockChangeable } from './changes.ts';
import { type AlertsApiOptions, deploymentName, projectName, projectOf, requireProjectWide } from './context.ts';

const startSchema = z
  .object({
    project: projectName,
    deployment: deploymentName,
    baseline: deploymentName.optional(),
    weight: z.number().min(0).max(100).optional(),
    /** Steps through these weights, judged at each, promote hooks called as each is entered. */
    rollout: rolloutSchema.optional(),
    /**
     * Judge a slice of traffic instead of the deployment's spans: a prompt version, a model behind
     * a flag. `deployment` then names the comparison; the baseline is labelled by its selector.
     */
    compare: comparedSlicesSchema.optional(),
  })
  .strict()
  .refine((b) => !(b.rollout && b.weight !== undefined), {
    message: 'a rollout sets its weight by its steps: leave weight out',
    path: ['weight'],
  });

const servingQuery = z.object({ tenant: z.string().min(1).max(200), project: projectName });

const actionSchema = z.object({ project: projectName, reason: z.string().optional() });
const nameParams = z.object({ name: deploymentName });

export function deploymentRoutes(options: AlertsApiOptions): ApiRoute[] {
  const { pool } = options;
  /** The deployment's row, locked, if the caller may change it (403 if not, 404 if there is none). */
  const lockDeployment = (client: pg.ClientBase, projectId: string, name: string) =>
    lockChangeable<{ state: string; steps: number[] | null }>(
      pool,
      client,
      {
        table: 'deployments',
        columns: 'state, steps',
        where: 'project_id = $1 and name = $2',
        params: [projectId, name],
      },
      `no deployment "${name}" in this project`,
    );

  return [
    defineRoute<z.infer<typeof startSchema>>({
      method: 'post',
      path: '/deployments',
      summary:
        'Record a running deployment (a canary) with its baseline and traffic weight, or start a stepped rollout (rollout.steps)',
      tag: 'deployments',
      access: 'operate',
      body: startSchema,
      responses: { 201: 'recorded' },
      handle: async ({ caller, body }) => {
        const project = await projectOf(pool, caller, body.project);
        const rollout = body.rollout;
        const config = await options.config();
        const recorded = await changeAsCaller(pool, caller, (client) =>
          recordDeployment(client, project.id, {
            name: body.deployment,
            baseline: body.baseline,
            weight: body.weight,
            source: 'api',
            slices: body.compare,
            rollout: rollout && rolloutPlanOf(rollout, config),
          }),
        );
        await recordAudit(pool, {
          ...auditOfCaller(caller),
          projectId: project.id,
          action: 'deployment.started',
          target: body.deployment,
          after: { baseline: recorded.baseline, weight: recorded.weight, steps: recorded.steps, state: recorded.state },
        });
        if (!rollout) return { status: 201, body: { deployment: recorded } };
        const step = await enterStep(
          pool,
          config,
          {
            projectId: project.id,
            projectName: project.name,
            deployment: body.deployment,
            toStep: 0,
            trigger: 'start',
            reason: 'rollout started',
          },
          options.env,
        );
        return { status: 201, body: { deployment: recorded, step: stepBody(step) } };
      },
    }),
    defineRoute<z.infer<typeof actionSchema>, undefined, z.infer<typeof nameParams>>({
      method: 'post',
      path: '/deployments/:name/promote',
      summary: 'Mark a running deployment promoted; a stepped rollout goes to 100% at once (its promote hooks, once)',
      tag: 'deployments',
      access: 'operate',
      params: nameParams,
      body: actionSchema,
      responses: { 409: 'the deployment is not running' },
      handle: async ({ caller, body, params }) => {
        const project = await projectOf(pool, caller, body.project);
        const stepped = await changeAsCaller(pool, caller, async (client) => {
          const row = await lockDeployment(client, project.id, params.name);
          if (row.steps) return true;
          if (!(await promoteDeployment(client, project.id, params.name)))
            throw new ApiError(409, `deployment "${params.name}" is not running`);
          return false;
        });
        const promoted = () =>
          recordAudit(pool, {
            ...auditOfCaller(caller),
            projectId: project.id,
            action: 'deployment.promoted',
            target: params.name,
            before: { state: 'running' },
            after: { state: 'promoted', reason: body.reason ?? null },
          });
        if (!stepped) {
          await promoted();
          return { body: { deployment: { name: params.name, state: 'promoted' } } };
        }
        const step = await enterStep(
          pool,
          await options.config(),
          {
            projectId: project.id,
            projectName: project.name,
            deployment: params.name,
            toStep: 'final',
            trigger: 'manual',
            reason: (body.reason ?? 'promoted by hand').slice(0, 500),
          },
          options.env,
        );
        if (!step.entered) throw new ApiError(409, `not promoted: ${step.reason.replaceAll('_', ' ')}`);
        await promoted();
        return { body: { deployment: { name: params.name, state: 'promoted' }, step: stepBody(step) } };
      },
    }),
    defineRoute<z.infer<typeof actionSchema>, undefined, z.infer<typeof nameParams>>({
      method: 'post',
      path: '/deployments/:name/rollback',
      summary: 'Roll a deployment back now: its rollback hooks are called, once per deployment',
      tag: 'deployments',
      access: 'operate',
      params: nameParams,
      body: actionSchema,
      responses: { 409: 'already rolled back' },
      handle: async ({ caller, body, params }) => {
        const project = await projectOf(pool, caller, body.project);
        // Row-level security decides whether this caller may change the deployment; the rollback
        // itself (its claim, hooks and audit rows) is the engine's, whoever asked.
        await changeAsCaller(pool, caller, (client) => lockDeployment(client, project.id, params.name));
        const reason = (body.reason ?? 'rolled back by hand').slice(0, 500);
        const outcome = await rollBack(
          pool,
          await options.config(),
          {
            projectId: project.id,
            projectName: project.name,
            deployment: params.name,
            trigger: 'manual',
            reason,
            audit: auditOfCaller(caller),
          },
          options.env,
        );
        if (!outcome.started)
          throw new ApiError(
            outcome.reason === 'unknown_deployment' ? 404 : 409,
            `not rolled back: ${outcome.reason.replaceAll('_', ' ')}`,
          );
        return {
          body: {
            rollback: {
              id: outcome.rollbackId,
              status: outcome.status,
              hooks: outcome.hooks.map((h) => ({ hook: h.hook, ok: h.ok, attempts: h.attempts.length })),
            },
          },
        };
      },
    }),
    defineRoute<undefined, z.infer<typeof servingQuery>>({
      method: 'get',
      path: '/deployments/serving',
      summary: "Which deployment serves a tenant now: a tenant cohort's canary or its baseline (cache for ttlSeconds)",
      tag: 'deployments',
      access: 'read_health',
      query: servingQuery,
      handle: async ({ caller, query }) => {
        requireProjectWide(caller);
        const project = await projectOf(pool, caller, query.project);
        return { body: await readServing(pool, caller, project.id, query.tenant) };
      },
    }),
    readRoute(
      pool,
      '/deployments/list',
      'Deployments, newest first, with their latest verdict and rollback',
      'deployments',
      'read_health',
      deploymentsQuerySchema,
      readDeployments,
    ),
  ];
}

/** A step entered (or why not) as the API answers it. */
function stepBody(step: Awaited<ReturnType<typeof enterStep>>) {
  if (!step.entered) return { entered: false, reason: step.reason };
  return {
    entered: true,
    step: step.step,
    weight: step.weight,
    final: step.final,
    status: step.status,
    hooks: step.hooks.map((h) => ({ hook: h.hook, ok: h.ok, attempts: h.attempts.length })),
  };
}
