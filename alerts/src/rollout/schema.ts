// What starting a stepped rollout takes, validated once for the API and the CLI: the weights it
// steps through, how long each step lasts at least, and who the canary serves.

import { z } from 'zod';
import type { RolloutPlan } from '../canary/deployments.ts';
import { durationSchema } from '../config/duration.ts';
import type { AlertsConfig } from '../config/schema.ts';

const tenant = z.string().min(1).max(200);

export const rolloutSchema = z
  .object({
    /** Canary weights in percent, ascending; 100 is added at the end when left out. */
    steps: z
      .array(z.number().min(0).max(100))
      .min(1)
      .max(20)
      .refine((s) => s.every((w, i) => i === 0 || w > s[i - 1]!), 'steps must ascend, e.g. 5,25,100')
      .transform((s) => (s.at(-1) === 100 ? s : [...s, 100])),
    /** Each step lasts at least this long; the config's canary.rollout.minStepTime when left out. */
    minStepTime: durationSchema.optional(),
    /**
     * Who the canary serves: `traffic`, a random share of requests (the app's router or flag
     * service splits it); `tenants`, the listed tenants and a stable hashed share of the others.
     */
    cohort: z.enum(['traffic', 'tenants']).default('traffic'),
    tenants: z.array(tenant).max(1000).default([]),
  })
  .strict()
  .refine((r) => r.cohort === 'tenants' || r.tenants.length === 0, {
    message: 'tenants are listed for a tenants cohort only (cohort: tenants)',
    path: ['tenants'],
  })
  .refine((r) => r.steps[0]! > 0 || r.tenants.length > 0, {
    message: 'a first step of 0% serves nobody: list the tenants it starts with',
    path: ['steps'],
  });

export type RolloutInput = z.input<typeof rolloutSchema>;
export type Rollout = z.output<typeof rolloutSchema>;

/** The plan recorded on the deployment: the config's minimum step time where the start gave none. */
export function rolloutPlanOf(rollout: Rollout, config: AlertsConfig): RolloutPlan {
  return {
    steps: rollout.steps,
    minStepTimeMs: rollout.minStepTime ?? config.canary.rollout.minStepTime,
    cohort: rollout.cohort,
    tenants: rollout.tenants,
  };
}
