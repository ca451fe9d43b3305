// "Which deployment serves tenant acme now": the answer an app's router asks for (through the SDK,
// cached) when a rollout's canary serves tenants rather than random traffic.

import { type Caller, withCaller } from '@vigil/core';
import type pg from 'pg';
import { servesCanary } from '../rollout/cohort.ts';

export interface Serving {
  tenant: string;
  /** The deployment to route the tenant to; null when Vigil cannot say (no deployment recorded, or a random split). */
  deployment: string | null;
  /** Whether that deployment is a running rollout's canary. */
  canary: boolean;
  rollout: {
    deployment: string;
    baseline: string | null;
    weight: number;
    step: number;
    steps: number[];
    cohort: 'traffic' | 'tenants';
  } | null;
  reason: string;
  /** How long the answer may be cached: a step changes it at most this often in practice. */
  ttlSeconds: number;
}

export const SERVING_TTL_SECONDS = 30;

export async function readServing(pool: pg.Pool, caller: Caller, projectId: string, tenant: string): Promise<Serving> {
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query(
      `select name, baseline, weight::float8 as weight, steps::float8[] as steps, step, cohort, cohort_tenants
         from deployments
        where project_id = $1 and state = 'running' and steps is not null and step is not null
        order by started_at desc limit 1`,
      [projectId],
    );
    const answer = { tenant, ttlSeconds: SERVING_TTL_SECONDS };
    const r = rows[0];
    if (r) {
      const rollout = {
        deployment: r.name as string,
        baseline: r.baseline as string | null,
        weight: r.weight as number,
        step: r.step as number,
        steps: r.steps as number[],
        cohort: r.cohort as 'traffic' | 'tenants',
      };
      if (rollout.cohort === 'traffic')
        return {
          ...answer,
          deployment: null,
          canary: false,
          rollout,
          reason: `${rollout.deployment} serves a random ${rollout.weight}% of requests, not chosen tenants: split traffic by weight`,
        };
      const canary = servesCanary(
        { deployment: rollout.deployment, weight: rollout.weight, tenants: r.cohort_tenants },
        tenant,
      );
      return {
        ...answer,
        deployment: canary ? rollout.deployment : rollout.baseline,
        canary,
        rollout,
        reason: canary
          ? `${tenant} is in the canary cohort of ${rollout.deployment} at ${rollout.weight}%`
          : `${tenant} stays on ${rollout.baseline ?? 'the baseline'} while ${rollout.deployment} serves ${rollout.weight}% of tenants`,
      };
    }
    const promoted = await client.query<{ name: string }>(
      `select name from deployments where project_id = $1 and state = 'promoted' order by coalesce(ended_at, started_at) desc limit 1`,
      [projectId],
    );
    const name = promoted.rows[0]?.name ?? null;
    return {
      ...answer,
      deployment: name,
      canary: false,
      rollout: null,
      reason: name
        ? `no rollout is running: ${name} was promoted last`
        : 'no deployment has been promoted or is rolling out',
    };
  });
}
