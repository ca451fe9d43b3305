// What a stepped rollout does next, given the judge's latest verdict: a small pure core (like the
// alert state machine), so every rule below is a unit test and the engine only carries it out.
//
//   Fail                                   → roll back (the hooks, once)
//   Pass, on the step ≥ its minimum time   → enter the next step (the last is 100%: promoted)
//   Pass, sooner                           → wait until the minimum time is up
//   Inconclusive or error                  → hold; past minimum time + maxHold, page once per step

import type { Verdict } from '../canary/judge.ts';

export interface RolloutPosition {
  /** Ascending canary weights in percent, the last always 100. */
  steps: number[];
  /** The index in `steps` of the step the canary is on. */
  step: number;
  stepStartedAt: number;
  minStepTimeMs: number;
  maxHoldMs: number;
  /** When this step's hold paged, if it did. */
  heldPagedAt: number | null;
}

export type RolloutAction =
  | { kind: 'advance'; toStep: number; weight: number; final: boolean }
  | { kind: 'rollback' }
  | { kind: 'wait'; dueAt: number }
  | { kind: 'hold'; page: boolean; since: number };

/**
 * A step that has lasted its minimum time to within this is due: the engine stamps a step with the
 * clock of the tick that entered it, and a later tick's clock, read a few milliseconds earlier in
 * its run, would otherwise make a 30 s step wait a whole extra tick (10 s) in bench:alerts.
 */
const CLOCK_SLACK_MS = 1000;

export function planRollout(position: RolloutPosition, verdict: Verdict, now: number): RolloutAction {
  if (verdict === 'fail') return { kind: 'rollback' };
  const dueAt = position.stepStartedAt + position.minStepTimeMs;
  if (verdict === 'pass') {
    if (now + CLOCK_SLACK_MS < dueAt) return { kind: 'wait', dueAt };
    const toStep = position.step + 1;
    const weight = position.steps[toStep] ?? 100;
    return { kind: 'advance', toStep, weight, final: weight >= 100 };
  }
  const overdue = now >= dueAt + position.maxHoldMs;
  return { kind: 'hold', page: overdue && position.heldPagedAt === null, since: position.stepStartedAt };
}
