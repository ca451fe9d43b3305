// Tenant cohorts: each tenant's answer is stable, a tenant in the canary stays in as its weight
// grows, the share served is the weight, and each rollout picks its own early tenants.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cohortBucket, servesCanary } from '../src/rollout/cohort.ts';

const tenants = Array.from({ length: 20_000 }, (_, i) => `org_${i.toString(36)}`);

describe('tenant cohorts', () => {
  it('give a tenant the same bucket every time', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (deployment, tenant) => {
        const bucket = cohortBucket(deployment, tenant);
        expect(cohortBucket(deployment, tenant)).toBe(bucket);
        expect(bucket).toBeGreaterThanOrEqual(0);
        expect(bucket).toBeLessThan(100);
      }),
    );
  });

  it('keep a tenant in the canary as the weight grows', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (tenant, a, b) => {
          const [low, high] = a < b ? [a, b] : [b, a];
          const rollout = { deployment: 'v43', tenants: [] };
          if (servesCanary({ ...rollout, weight: low }, tenant))
            expect(servesCanary({ ...rollout, weight: high }, tenant)).toBe(true);
        },
      ),
    );
  });

  it('serve the weight as a share of tenants, within sampling error', () => {
    for (const weight of [5, 25, 50]) {
      const served = tenants.filter((t) => servesCanary({ deployment: 'v43', weight, tenants: [] }, t)).length;
      const share = (100 * served) / tenants.length;
      // 4 standard errors of a binomial share over 20,000 tenants.
      expect(Math.abs(share - weight)).toBeLessThan(
        4 * 100 * Math.sqrt(((weight / 100) * (1 - weight / 100)) / tenants.length),
      );
    }
  });

  it('always serve the listed tenants, and pick different early tenants per rollout', () => {
    expect(servesCanary({ deployment: 'v43', weight: 0, tenants: ['acme'] }, 'acme')).toBe(true);
    expect(servesCanary({ deployment: 'v43', weight: 0, tenants: ['acme'] }, 'globex')).toBe(false);
    const early = (deployment: string) =>
      new Set(tenants.filter((t) => servesCanary({ deployment, weight: 5, tenants: [] }, t)));
    const a = early('v43');
    const overlap = [...early('v44')].filter((t) => a.has(t)).length;
    // Independent 5% draws share about 5% of their members, not all of them.
    expect(overlap / a.size).toBeLessThan(0.15);
  });
});
