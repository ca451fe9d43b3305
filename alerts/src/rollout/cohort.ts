// Which tenants a tenant-cohort canary serves: the listed ones, and those whose bucket falls under
// the step's weight. The bucket hashes the tenant with the deployment's name, so it is stable for
// a tenant through a rollout (a tenant in at 5% stays in at 25%) and each rollout picks its own
// early tenants rather than the same ones every time.

import { createHash } from 'node:crypto';

/** A tenant's place in [0, 100) for one deployment, in steps of 0.01. */
export function cohortBucket(deployment: string, tenant: string): number {
  const digest = createHash('sha256').update(deployment).update('\0').update(tenant).digest();
  return (digest.readUInt32BE(0) % 10_000) / 100;
}

export function servesCanary(
  rollout: { deployment: string; weight: number; tenants: readonly string[] },
  tenant: string,
): boolean {
  return rollout.tenants.includes(tenant) || cohortBucket(rollout.deployment, tenant) < rollout.weight;
}
