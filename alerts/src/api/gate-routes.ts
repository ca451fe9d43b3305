// Rollout gates: Argo Rollouts' `web` metric and Flagger's webhooks ask whether a deployment may
// advance. Both read the canary judge's verdict, judged now.
//   GET  /gate/argo?deployment=<name>      always JSON (Argo reads a field of it)
//   POST /gate/flagger[?hook=rollback]     200 advances, 409/425/503 halt; as a rollback hook 200 = roll back

import { type ApiRoute, defineRoute } from '@vigil/core';
import { z } from 'zod';
import { findDeployment, judgeDeployment, type RecordedJudgement } from '../canary/judge-deployment.ts';
import { type AlertsApiOptions, deploymentName, type Project, projectOf, requireProjectWide } from './context.ts';

type Verdict = RecordedJudgement & { deployment: string };

const flaggerSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().default(''),
  phase: z.string().default(''),
  checksum: z.string().optional(),
  metadata: z.record(z.string(), z.string()).default({}),
});

const argoQuery = z.object({ deployment: z.string().optional(), project: z.string().optional() });
const flaggerQuery = z.object({ hook: z.enum(['rollback']).optional(), project: z.string().optional() });

export function gateRoutes(options: AlertsApiOptions): ApiRoute[] {
  const { pool } = options;

  async function verdictFor(project: Project, name: string): Promise<Verdict> {
    const now = { from: new Date(), to: new Date() };
    const deployment = await findDeployment(pool, project.id, name);
    if (!deployment) {
      return {
        deployment: name,
        verdict: 'error',
        score: null,
        reason: `no deployment "${name}" in project ${project.name}: record it first (POST /api/v1/deployments or vigil deploy start)`,
        baseline: null,
        judgement: null,
        window: now,
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
        window: now,
      };
    }
    const config = await options.config();
    return { deployment: name, ...(await judgeDeployment(pool, config.canary, deployment)) };
  }

  return [
    defineRoute<undefined, z.infer<typeof argoQuery>>({
      method: 'get',
      path: '/gate/argo',
      summary: "Argo Rollouts' web metric: the canary judge's verdict on a deployment, always as JSON",
      tag: 'gates',
      access: 'read_health',
      query: argoQuery,
      handle: async ({ caller, query }) => {
        requireProjectWide(caller);
        const name = deploymentName.safeParse(query.deployment);
        if (!name.success) return { body: { verdict: 'error', ok: false, reason: 'give ?deployment=<name>' } };
        const project = await projectOf(pool, caller, query.project);
        return { body: verdictBody(await verdictFor(project, name.data)) };
      },
    }),
    defineRoute<z.infer<typeof flaggerSchema>, z.infer<typeof flaggerQuery>>({
      method: 'post',
      path: '/gate/flagger',
      summary: "Flagger's webhook: 200 advances, 409 (fail), 425 (inconclusive) or 503 (error) halts",
      tag: 'gates',
      access: 'read_health',
      body: flaggerSchema,
      query: flaggerQuery,
      responses: { 409: 'the canary fails', 425: 'not decided yet', 503: 'the judge could not judge' },
      handle: async ({ caller, body, query }) => {
        requireProjectWide(caller);
        const project = await projectOf(pool, caller, body.metadata.project ?? query.project);
        const result = await verdictFor(project, body.metadata.deployment ?? body.name);
        const answer = verdictBody(result);
        // As a rollback hook (?hook=rollback), 2xx means "roll back now".
        if (query.hook === 'rollback') return { status: result.verdict === 'fail' ? 200 : 409, body: answer };
        const status =
          result.verdict === 'pass'
            ? 200
            : result.verdict === 'fail'
              ? 409
              : result.verdict === 'inconclusive'
                ? 425
                : 503;
        return { status, body: answer };
      },
    }),
  ];
}

function verdictBody(result: Verdict) {
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
