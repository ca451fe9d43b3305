// Deployment, rollout-gate and alert-management endpoints, as a fetch-style handler mounted beside
// the query API:
//   POST /api/v1/deployments                      record a deployment (name, baseline, weight)
//   POST /api/v1/deployments/<name>/promote       mark it promoted
//   POST /api/v1/deployments/<name>/rollback      roll it back now (the hooks, once)
//   GET  /api/v1/gate/argo?deployment=<name>      Argo Rollouts `web` metric: always JSON
//   POST /api/v1/gate/flagger[?hook=rollback]     Flagger webhook: 200 advances, non-2xx halts
//   GET  /api/v1/alerts/config                    the project's SLOs, rules, budgets and notification routes in effect
//   POST /api/v1/silences, /silences/<id>/expire  create a time-bounded silence, end one now
// Every call needs a bearer token for the project (a member's or an admin's); a tenant-scoped
// viewer's token cannot gate or roll back a deployment.

import type pg from 'pg';
import { z } from 'zod';
import { AuthError, callerFromToken } from '@vigil/core';
import { QueryApi } from '@vigil/core';
import type { Caller } from '@vigil/core';
import { promoteDeployment, recordDeployment } from '../canary/deployments.ts';
import { findDeployment, judgeDeployment, type RecordedJudgement } from '../canary/judge-deployment.ts';
import type { AlertsConfig } from '../config/schema.ts';
import { notificationRoutes } from '../engine/outbox.ts';
import { rollBack } from '../hooks/rollback.ts';

export interface GateHandlerOptions {
  pool: pg.Pool;
  config: () => Promise<AlertsConfig> | AlertsConfig;
  jwtSecret: string;
  jwksUrl?: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const deploymentName = z.string().regex(/^[\w.:@/+-]{1,200}$/, 'a deployment name is 1-200 letters, digits or ._:@/+-');

const startSchema = z
  .object({
    project: z.string().min(1).optional(),
    deployment: deploymentName,
    baseline: deploymentName.optional(),
    weight: z.number().min(0).max(100).optional(),
  })
  .strict();

const silenceSchema = z
  .object({
    project: z.string().min(1).optional(),
    /** Labels that must all match, e.g. {"slo": "chat-errors"}. */
    matchers: z
      .record(z.string().min(1).max(100), z.string().min(1).max(500))
      .refine((m) => Object.keys(m).length > 0, 'give at least one label'),
    /** How long from now: 30m, 2h, 1d (at most 30 days). */
    minutes: z
      .number()
      .int()
      .positive()
      .max(30 * 24 * 60),
    comment: z.string().max(500).optional(),
  })
  .strict();

const flaggerSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().default(''),
  phase: z.string().default(''),
  checksum: z.string().optional(),
  metadata: z.record(z.string(), z.string()).default({}),
});

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function isGatePath(path: string): boolean {
  const p = path.replace(/\/+$/, '');
  return (
    p === '/api/v1/deployments' ||
    /^\/api\/v1\/deployments\/[^/]+\/(promote|rollback)$/.test(p) ||
    p.startsWith('/api/v1/gate/') ||
    p === '/api/v1/alerts/config' ||
    p === '/api/v1/silences' ||
    /^\/api\/v1\/silences\/[^/]+\/expire$/.test(p)
  );
}

export function createGateHandler(options: GateHandlerOptions): (request: Request) => Promise<Response> {
  const api = new QueryApi(options.pool);

  async function projectOf(caller: Caller, name: string | null | undefined): Promise<{ id: string; name: string }> {
    if (caller.role === 'authenticated') {
      if (caller.tenantId !== undefined)
        throw new HttpError(403, 'a tenant-scoped token cannot gate or change deployments; use a project token');
      const { rows } = await options.pool.query<{ id: string; name: string }>(
        `select id, name from projects where id = $1`,
        [caller.projectId],
      );
      if (!rows[0]) throw new HttpError(403, 'the token names a project that does not exist');
      if (name && name !== rows[0].name)
        throw new HttpError(403, `the token is for project ${rows[0].name}, not ${name}`);
      return rows[0];
    }
    const { rows } = await options.pool.query<{ id: string; name: string }>(
      `select id, name from projects where name = $1`,
      [name ?? 'default'],
    );
    if (!rows[0]) throw new HttpError(404, `no project named "${name ?? 'default'}"`);
    return rows[0];
  }

  async function verdictFor(
    project: { id: string; name: string },
    name: string,
  ): Promise<RecordedJudgement & { deployment: string }> {
    const deployment = await findDeployment(options.pool, project.id, name);
    if (!deployment) {
      return {
        deployment: name,
        verdict: 'error',
        score: null,
        reason: `no deployment "${name}" in project ${project.name}: record it first (POST /api/v1/deployments or vigil deploy start)`,
        baseline: null,
        judgement: null,
        window: { from: new Date(), to: new Date() },
      };
    }
    if (deployment.state === 'rolled_back') {
      return {
        deployment: name,
        verdict: 'fail',
        score: 0,
        reason: 'this deployment was rolled back',
        baseline: deployment.baseline,
        judgement: null,
        window: { from: new Date(), to: new Date() },
      };
    }
    const config = await options.config();
    return { deployment: name, ...(await judgeDeployment(options.pool, api, config.canary, deployment)) };
  }

  function verdictBody(result: RecordedJudgement & { deployment: string }) {
    return {
      verdict: result.verdict,
      ok: result.verdict === 'pass',
      score: result.score,
      deployment: result.deployment,
      baseline: result.baseline,
      reason: result.reason,
      window: { from: result.window.from.toISOString(), to: result.window.to.toISOString() },
      metrics: Object.fromEntries(
        (result.judgement?.metrics ?? []).map((m) => [
          m.metric,
          {
            classification: m.classification,
            canaryP95: m.canary.p95,
            baselineP95: m.baseline.p95,
            canaryMean: m.canary.mean,
            baselineMean: m.baseline.mean,
            effect: m.effect,
            pValue: m.pValue,
            samples: { canary: m.canary.n, baseline: m.baseline.n },
          },
        ]),
      ),
    };
  }

  async function route(request: Request, url: URL, caller: Caller): Promise<Response> {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/api/v1/gate/argo') {
      const name = deploymentName.safeParse(url.searchParams.get('deployment'));
      if (!name.success) return json(200, { verdict: 'error', ok: false, reason: 'give ?deployment=<name>' });
      const project = await projectOf(caller, url.searchParams.get('project'));
      return json(200, verdictBody(await verdictFor(project, name.data)));
    }
    if (path === '/api/v1/alerts/config') {
      const project = await projectOf(caller, url.searchParams.get('project'));
      const config = await options.config();
      const mine = <T extends { project: string }>(items: T[]) => items.filter((item) => item.project === project.name);
      // Where the project's alerts go, as the outbox routes them: channels and the names of the
      // variables holding their URLs (never the URLs, which are secrets).
      const routes = notificationRoutes(config, project.name).map(
        ({ channel, name, urlEnv, severities, sendResolved }) => ({ channel, name, urlEnv, severities, sendResolved }),
      );
      return json(200, { slos: mine(config.slos), rules: mine(config.rules), budgets: mine(config.budgets), routes });
    }
    if (request.method !== 'POST') throw new HttpError(405, 'use POST');
    const body = await readJson(request);
    if (path === '/api/v1/gate/flagger') {
      const payload = flaggerSchema.parse(body);
      const project = await projectOf(caller, payload.metadata.project ?? url.searchParams.get('project'));
      const result = await verdictFor(project, payload.metadata.deployment ?? payload.name);
      const answer = verdictBody(result);
      // Flagger advances on 2xx. As a rollback hook (?hook=rollback), 2xx means "roll back now".
      if (url.searchParams.get('hook') === 'rollback') return json(result.verdict === 'fail' ? 200 : 409, answer);
      const status =
        result.verdict === 'pass'
          ? 200
          : result.verdict === 'fail'
            ? 409
            : result.verdict === 'inconclusive'
              ? 425
              : 503;
      return json(status, answer);
    }
    if (path === '/api/v1/silences') {
      const silence = silenceSchema.parse(body);
      const project = await projectOf(caller, silence.project);
      const { rows } = await options.pool.query(
        `insert into alert_silences (project_id, matchers, ends_at, created_by, comment) values ($1, $2, now() + make_interval(mins => $3), $4, $5)
         returning id, matchers, starts_at, ends_at`,
        [
          project.id,
          silence.matchers,
          silence.minutes,
          caller.role === 'service_role' ? 'admin' : 'member',
          silence.comment ?? null,
        ],
      );
      return json(201, { silence: rows[0] });
    }
    const expire = /^\/api\/v1\/silences\/([^/]+)\/expire$/.exec(path);
    if (expire) {
      const project = await projectOf(caller, (body as { project?: string }).project);
      const id = z.string().uuid('a silence id is a UUID').parse(decodeURIComponent(expire[1]!));
      const { rows } = await options.pool.query(
        `update alert_silences set ends_at = now() where id = $1 and project_id = $2 and ends_at > now() returning id, ends_at`,
        [id, project.id],
      );
      if (!rows[0]) throw new HttpError(404, 'no active silence with that id in this project');
      return json(200, { silence: rows[0] });
    }
    if (path === '/api/v1/deployments') {
      const start = startSchema.parse(body);
      const project = await projectOf(caller, start.project);
      const recorded = await recordDeployment(options.pool, project.id, {
        name: start.deployment,
        baseline: start.baseline,
        weight: start.weight,
        source: 'api',
      });
      return json(201, { deployment: recorded });
    }
    const action = /^\/api\/v1\/deployments\/([^/]+)\/(promote|rollback)$/.exec(path);
    if (action) {
      const name = deploymentName.parse(decodeURIComponent(action[1]!));
      const project = await projectOf(caller, (body as { project?: string }).project);
      if (action[2] === 'promote') {
        if (!(await promoteDeployment(options.pool, project.id, name)))
          throw new HttpError(409, `deployment "${name}" is not running`);
        return json(200, { deployment: { name, state: 'promoted' } });
      }
      const reason =
        typeof (body as { reason?: unknown }).reason === 'string'
          ? String((body as { reason: string }).reason).slice(0, 500)
          : 'rolled back by hand';
      const outcome = await rollBack(
        options.pool,
        await options.config(),
        { projectId: project.id, projectName: project.name, deployment: name, trigger: 'manual', reason },
        options.env,
      );
      if (!outcome.started)
        throw new HttpError(
          outcome.reason === 'unknown_deployment' ? 404 : 409,
          `not rolled back: ${outcome.reason.replaceAll('_', ' ')}`,
        );
      return json(200, {
        rollback: {
          id: outcome.rollbackId,
          status: outcome.status,
          hooks: outcome.hooks.map((h) => ({ hook: h.hook, ok: h.ok, attempts: h.attempts.length })),
        },
      });
    }
    throw new HttpError(404, `no such endpoint: ${path}`);
  }

  return async (request) => {
    const url = new URL(request.url);
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    try {
      if (!token) throw new HttpError(401, 'missing bearer token');
      let caller: Caller;
      try {
        caller = await callerFromToken(token, options.jwtSecret, options.jwksUrl ? { jwksUrl: options.jwksUrl } : {});
      } catch (error) {
        if (error instanceof AuthError) throw new HttpError(401, error.message);
        throw error;
      }
      return await route(request, url, caller);
    } catch (error) {
      if (error instanceof HttpError) return json(error.status, { verdict: 'error', ok: false, error: error.message });
      if (error instanceof z.ZodError) {
        const issue = error.issues[0]!;
        return json(400, { verdict: 'error', ok: false, error: `${issue.path.join('.') || 'body'}: ${issue.message}` });
      }
      options.log?.(`gate ${url.pathname} failed: ${(error as Error).message}`);
      return json(500, { verdict: 'error', ok: false, error: 'internal error' });
    }
  };
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 64 * 1024) throw new HttpError(413, 'body over 64 KiB');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}
