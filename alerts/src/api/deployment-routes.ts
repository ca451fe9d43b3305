// Deployments through the API: record one (a pipeline starting a canary), promote it, roll it back
// now (its hooks, once), and list them. Changes run as the caller under row-level security.

import { ApiError, type ApiRoute, defineRoute, readRoute } from '@vigil/core';
import type pg from 'pg';
import { z } from 'zod';
import { promoteDeployment, recordDeployment } from '../canary/deployments.ts';
import { rollBack } from '../hooks/rollback.ts';
import { deploymentsQuerySchema, readDeployments } from '../reads/deployment-reads.ts';
import { changeAsCaller, lockChangeable } from './changes.ts';
import { type AlertsApiOptions, deploymentName, projectName, projectOf } from './context.ts';

const startSchema = z
  .object({
    project: projectName,
    deployment: deploymentName,
    baseline: deploymentName.optional(),
    weight: z.number().min(0).max(100).optional(),
  })
  .strict();

const actionSchema = z.object({ project: projectName, reason: z.string().optional() });
const nameParams = z.object({ name: deploymentName });

export function deploymentRoutes(options: AlertsApiOptions): ApiRoute[] {
  const { pool } = options;
  /** The deployment's row, locked, if the caller may change it (403 if not, 404 if there is none). */
  const lockDeployment = (client: pg.ClientBase, projectId: string, name: string) =>
    lockChangeable<{ state: string }>(
      pool,
      client,
      { table: 'deployments', columns: 'state', where: 'project_id = $1 and name = $2', params: [projectId, name] },
      `no deployment "${name}" in this project`,
    );

  return [
    defineRoute<z.infer<typeof startSchema>>({
      method: 'post',
      path: '/deployments',
      summary: 'Record a running deployment (a canary) with its baseline and traffic weight',
      tag: 'deployments',
      body: startSchema,
      responses: { 201: 'recorded' },
      handle: async ({ caller, body }) => {
        const project = await projectOf(pool, caller, body.project);
        const recorded = await changeAsCaller(pool, caller, (client) =>
          recordDeployment(client, project.id, {
            name: body.deployment,
            baseline: body.baseline,
            weight: body.weight,
            source: 'api',
          }),
        );
        return { status: 201, body: { deployment: recorded } };
      },
    }),
    defineRoute<z.infer<typeof actionSchema>, undefined, z.infer<typeof nameParams>>({
      method: 'post',
      path: '/deployments/:name/promote',
      summary: 'Mark a running deployment promoted',
      tag: 'deployments',
      params: nameParams,
      body: actionSchema,
      responses: { 409: 'the deployment is not running' },
      handle: async ({ caller, body, params }) => {
        const project = await projectOf(pool, caller, body.project);
        await changeAsCaller(pool, caller, async (client) => {
          await lockDeployment(client, project.id, params.name);
          if (!(await promoteDeployment(client, project.id, params.name)))
            throw new ApiError(409, `deployment "${params.name}" is not running`);
        });
        return { body: { deployment: { name: params.name, state: 'promoted' } } };
      },
    }),
    defineRoute<z.infer<typeof actionSchema>, undefined, z.infer<typeof nameParams>>({
      method: 'post',
      path: '/deployments/:name/rollback',
      summary: 'Roll a deployment back now: its rollback hooks are called, once per deployment',
      tag: 'deployments',
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
          { projectId: project.id, projectName: project.name, deployment: params.name, trigger: 'manual', reason },
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
    readRoute(
      pool,
      '/deployments/list',
      'Deployments, newest first, with their latest verdict and rollback',
      'deployments',
      deploymentsQuerySchema,
      readDeployments,
    ),
  ];
}
