// Confidence intervals for CI gates, by the percentile bootstrap: no assumption about the shape of
// cost or latency distributions (both are skewed, heavy-tailed and often multimodal), the same
// method for a mean, a p95 and a ratio of two of them, and reproducible (a seeded generator).

import { quantileSorted, seededRandom } from '../canary/statistics.ts';

export interface Interval {
  /** The statistic on the samples as they are. */
  estimate: number;
  low: number;
  high: number;
  confidence: number;
}

/** A statistic of one sample, computed on a resample written into `scratch`. */
export type Statistic = (values: Float64Array) => number;

export const mean: Statistic = (values) => {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
};

export function quantile(q: number): Statistic {
  return (values) => quantileSorted(values.sort(), q);
}

function resample(from: readonly number[], into: Float64Array, random: () => number): Float64Array {
  for (let i = 0; i < into.length; i++) into[i] = from[Math.floor(random() * from.length)]!;
  return into;
}

function percentileInterval(estimate: number, draws: Float64Array, confidence: number): Interval {
  draws.sort();
  const tail = (1 - confidence) / 2;
  return { estimate, low: quantileSorted(draws, tail), high: quantileSorted(draws, 1 - tail), confidence };
}

export interface BootstrapOptions {
  confidence: number;
  resamples?: number;
  seed?: number;
}

/** The interval of `statistic` over one sample. */
export function bootstrap(values: readonly number[], statistic: Statistic, options: BootstrapOptions): Interval {
  const random = seededRandom(options.seed ?? 1);
  const draws = new Float64Array(options.resamples ?? 2000);
  const scratch = new Float64Array(values.length);
  for (let i = 0; i < draws.length; i++) draws[i] = statistic(resample(values, scratch, random));
  return percentileInterval(statistic(Float64Array.from(values)), draws, options.confidence);
}

/** The interval of statistic(a) / statistic(b), the two samples resampled independently. */
export function bootstrapRatio(
  a: readonly number[],
  b: readonly number[],
  statistic: Statistic,
  options: BootstrapOptions,
): Interval {
  const random = seededRandom(options.seed ?? 1);
  const draws = new Float64Array(options.resamples ?? 2000);
  const scratchA = new Float64Array(a.length);
  const scratchB = new Float64Array(b.length);
  for (let i = 0; i < draws.length; i++)
    draws[i] = statistic(resample(a, scratchA, random)) / statistic(resample(b, scratchB, random));
  return percentileInterval(
    statistic(Float64Array.from(a)) / statistic(Float64Array.from(b)),
    draws,
    options.confidence,
  );
}

/** The interval of a · statistic + b (a > 0): a monthly total from a mean, a change from a ratio. */
export function affine(interval: Interval, a: number, b = 0): Interval {
  return { ...interval, estimate: a * interval.estimate + b, low: a * interval.low + b, high: a * interval.high + b };
}

export type GateVerdict = 'pass' | 'fail' | 'inconclusive';

/**
 * Against an upper limit: Fail only when the whole interval is above it (exceeded with
 * confidence), Pass when the whole interval is at or below it, else Inconclusive.
 */
export function verdictAgainst(interval: Interval, limit: number): GateVerdict {
  if (interval.low > limit) return 'fail';
  if (interval.high <= limit) return 'pass';
  return 'inconclusive';
}

/** Against a lower limit (a minimum score): the mirror of verdictAgainst. */
export function verdictAtLeast(interval: Interval, minimum: number): GateVerdict {
  if (interval.high < minimum) return 'fail';
  if (interval.low >= minimum) return 'pass';
  return 'inconclusive';
}
