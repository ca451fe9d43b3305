// Has a score (an evaluation's) dropped against a baseline's by more than allowed? The same
// always-valid sequential test as the judge's other metrics (sequential.ts), on the difference of
// means: valid when a canary is judged every tick, and at a single look (a CI gate) conservative,
// so noise between two runs of one golden set does not fail a merge.

import { alwaysValidPValue, meanAndVariance, samplesNeeded } from './sequential.ts';

export interface ScoreDropTest {
  canaryMean: number;
  baselineMean: number;
  /** baseline − canary: positive when the canary scores lower. */
  drop: number;
  pValue: number;
  /** More canary results needed to show the drop at this effect; null when there is no drop to show. */
  resultsNeeded: number | null;
}

/** Scores that do not vary still have some uncertainty: a floor under the variance, on the scores' scale. */
const VARIANCE_FLOOR_SHARE = 1e-4;

export function scoreDropTest(
  canary: readonly number[],
  baseline: readonly number[],
  maxDrop: number,
  alpha: number,
): ScoreDropTest {
  const c = meanAndVariance(canary);
  const b = meanAndVariance(baseline);
  const scale = Math.max(Math.abs(b.mean), Math.abs(c.mean), 1);
  const floor = VARIANCE_FLOOR_SHARE * scale * scale;
  const baselineVariance = Math.max(b.variance, floor);
  // As in the judge: a canary's variance from few results is unreliable; the baseline's is its floor.
  const canaryVariance = Math.max(c.variance, baselineVariance);
  // The mixture is centred on drops of half a baseline standard deviation: found fastest.
  const tau2 = baselineVariance / 4;
  const drop = b.mean - c.mean;
  const v = canaryVariance / c.n + baselineVariance / b.n;
  return {
    canaryMean: c.mean,
    baselineMean: b.mean,
    drop,
    pValue: alwaysValidPValue(drop, maxDrop, v, tau2),
    resultsNeeded: samplesNeeded(drop, maxDrop, canaryVariance, baselineVariance / b.n, tau2, alpha, c.n),
  };
}
