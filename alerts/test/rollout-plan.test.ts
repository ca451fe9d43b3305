// The stepped rollout's rules, one by one: Fail rolls back, Pass moves on once the step's minimum
// time is up (100% at the end), anything else holds and pages once when held too long.

import { describe, expect, it } from 'vitest';
import { planRollout, type RolloutPosition } from '../src/rollout/plan.ts';
import { rolloutSchema } from '../src/rollout/schema.ts';

const MINUTE = 60_000;
const at = (step: number, extra: Partial<RolloutPosition> = {}): RolloutPosition => ({
  steps: [5, 25, 100],
  step,
  stepStartedAt: 0,
  minStepTimeMs: 10 * MINUTE,
  maxHoldMs: 60 * MINUTE,
  heldPagedAt: null,
  ...extra,
});

describe('planRollout', () => {
  it('rolls back on Fail at any step, even before the minimum time', () => {
    expect(planRollout(at(0), 'fail', MINUTE)).toEqual({ kind: 'rollback' });
    expect(planRollout(at(1), 'fail', 0)).toEqual({ kind: 'rollback' });
  });

  it('waits out the minimum step time on a Pass, then enters the next step', () => {
    expect(planRollout(at(0), 'pass', 9 * MINUTE)).toEqual({ kind: 'wait', dueAt: 10 * MINUTE });
    expect(planRollout(at(0), 'pass', 10 * MINUTE)).toEqual({ kind: 'advance', toStep: 1, weight: 25, final: false });
    // A tick whose clock reads a few milliseconds short of the minimum does not wait a whole tick more.
    expect(planRollout(at(0), 'pass', 10 * MINUTE - 30).kind).toBe('advance');
  });

  it('makes the step to 100% the final one: the deployment is promoted', () => {
    expect(planRollout(at(1), 'pass', 11 * MINUTE)).toEqual({ kind: 'advance', toStep: 2, weight: 100, final: true });
  });

  it('holds on Inconclusive or error, and pages once past minimum time plus maxHold', () => {
    expect(planRollout(at(0), 'inconclusive', 69 * MINUTE)).toEqual({ kind: 'hold', page: false, since: 0 });
    expect(planRollout(at(0), 'error', 70 * MINUTE)).toEqual({ kind: 'hold', page: true, since: 0 });
    expect(planRollout(at(0, { heldPagedAt: 70 * MINUTE }), 'inconclusive', 90 * MINUTE)).toEqual({
      kind: 'hold',
      page: false,
      since: 0,
    });
  });
});

describe('rollout steps', () => {
  it('end at 100 whether or not it is written, and must ascend', () => {
    expect(rolloutSchema.parse({ steps: [5, 25] }).steps).toEqual([5, 25, 100]);
    expect(rolloutSchema.parse({ steps: [5, 25, 100] }).steps).toEqual([5, 25, 100]);
    expect(rolloutSchema.safeParse({ steps: [25, 5] }).error?.issues[0]?.message).toMatch(/ascend/);
    expect(rolloutSchema.safeParse({ steps: [5, 120] }).success).toBe(false);
  });

  it('list tenants only for a tenant cohort, and start at 0% only with some listed', () => {
    expect(rolloutSchema.safeParse({ steps: [5], tenants: ['acme'] }).error?.issues[0]?.message).toMatch(
      /tenants cohort/,
    );
    expect(rolloutSchema.safeParse({ steps: [0, 50], cohort: 'tenants' }).error?.issues[0]?.message).toMatch(
      /serves nobody/,
    );
    expect(rolloutSchema.parse({ steps: [0, 50], cohort: 'tenants', tenants: ['internal'] }).steps).toEqual([
      0, 50, 100,
    ]);
  });
});
