// CI gates over HTTP, for pipelines that hold a project token rather than the database URL:
// POST /checks/{cost,latency,evals,slo} take what `vigil check …` takes and answer its report
// (verdict, findings, figures, and the Markdown). Always 200 with the verdict in the body, as
// Argo's gate: the caller decides what a fail does; `vigil check --api` turns it into an exit code.

import { type ApiRoute, type Caller, defineRoute } from '@vigil/core';
import type pg from 'pg';
import { z } from 'zod';
import { checkCost } from '../check/cost.ts';
import { checkEvals } from '../check/evals.ts';
import { checkLatency } from '../check/latency.ts';
import { type CheckReport, markdownReport } from '../check/report.ts';
import { checkSlo } from '../check/slo.ts';
import { durationSchema } from '../config/duration.ts';
import { type AlertsApiOptions, type Project, projectName, projectOf, requireProjectWide } from './context.ts';

/** What every run-reading check takes over HTTP besides its own limits (validated by its schema). */
const runBody = z
  .object({ project: projectName, deployment: z.string().min(1), since: durationSchema.prefault('24h') })
  .catchall(z.unknown());

const sloBody = z.object({ project: projectName, deployment: z.string().min(1).optional() }).strict();

type RunCheck = (pool: pg.Pool, caller: Caller, input: Record<string, unknown>) => Promise<CheckReport>;

const RUN_CHECKS: Record<'cost' | 'latency' | 'evals', { summary: string; run: RunCheck }> = {
  cost: {
    summary: 'Cost per request of a CI run against limits, with confidence',
    run: (p, c, i) => checkCost(p, c, i as never),
  },
  latency: {
    summary: 'Request latency or TTFT at a quantile of a CI run against a limit or a baseline',
    run: (p, c, i) => checkLatency(p, c, i as never),
  },
  evals: {
    summary: "An evaluation's scores in a CI run against a minimum or a baseline",
    run: (p, c, i) => checkEvals(p, c, i as never),
  },
};

const answer = (report: CheckReport) => ({ body: { ...report, markdown: markdownReport(report) } });

export function checkRoutes(options: AlertsApiOptions): ApiRoute[] {
  const { pool } = options;
  const projectFor = async (caller: Caller, name: string | undefined): Promise<Project> => {
    // A check reads every tenant's traffic of the run: a tenant-scoped token may not.
    requireProjectWide(caller);
    return projectOf(pool, caller, name);
  };
  return [
    ...Object.entries(RUN_CHECKS).map(([name, check]) =>
      defineRoute<z.infer<typeof runBody>>({
        method: 'post',
        path: `/checks/${name}`,
        summary: check.summary,
        tag: 'gates',
        access: 'read_health',
        body: runBody,
        handle: async ({ caller, body }) => {
          const { project: wanted, since, ...limits } = body;
          const project = await projectFor(caller, wanted);
          const now = Date.now();
          return answer(
            await check.run(pool, caller, {
              ...limits,
              projectId: project.id,
              window: { from: new Date(now - since), to: new Date(now) },
            }),
          );
        },
      }),
    ),
    defineRoute<z.infer<typeof sloBody>>({
      method: 'post',
      path: '/checks/slo',
      summary: 'No SLO of the project burning past its page threshold now (optionally on one deployment)',
      tag: 'gates',
      access: 'read_health',
      body: sloBody,
      handle: async ({ caller, body }) => {
        const project = await projectFor(caller, body.project);
        return answer(
          await checkSlo(pool, await options.config(), {
            projectId: project.id,
            projectName: project.name,
            deployment: body.deployment,
          }),
        );
      },
    }),
  ];
}
