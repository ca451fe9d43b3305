// OTLP histograms (explicit buckets, exponential buckets) into Vigil's log histograms, so metric
// points add up with span latencies in the same rollup rows. A bucket's count is placed at its
// geometric midpoint, so a quantile read back is off by at most half the bucket's width on a log
// scale, on top of the log histogram's own 0.8%:
//   explicit (lo, hi]: a factor sqrt(hi / lo), 41% for the doubling buckets the GenAI semconv
//     recommends for durations (0.01, 0.02, 0.04, … s); the SDK's default buckets (0, 5, 10, 25, …)
//     are far coarser for durations in seconds;
//   exponential at scale s: a factor 2^(2^-s / 2), 4.4% at scale 3, 0.3% at scale 7.
// The first and last explicit buckets are closed by the point's min and max when it sends them.

import type { LogHistogram } from './log-histogram.ts';

export interface ExplicitBuckets {
  bounds: readonly number[];
  counts: readonly number[];
  min: number | null;
  max: number | null;
}

export interface ExponentialBuckets {
  scale: number;
  zeroCount: number;
  positive: { offset: number; counts: readonly number[] };
  negative: { offset: number; counts: readonly number[] };
}

function midpoint(lo: number, hi: number): number {
  if (!(hi > 0)) return 0;
  return lo > 0 ? Math.sqrt(lo * hi) : hi / 2;
}

/** Adds an explicit-bucket histogram's counts, each value multiplied by `unit` (1000: seconds → ms). */
export function addExplicitBuckets(into: LogHistogram, buckets: ExplicitBuckets, unit: number, sign = 1): void {
  const { bounds, counts, min, max } = buckets;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (count === 0) continue;
    let lo = i === 0 ? (min ?? 0) : bounds[i - 1]!;
    let hi = i === bounds.length ? (max ?? bounds[bounds.length - 1] ?? 0) : bounds[i]!;
    if (min !== null && min > lo) lo = min;
    if (max !== null && max < hi) hi = max;
    into.add(midpoint(lo, Math.max(lo, hi)) * unit, sign * count);
  }
}

/**
 * Adds an exponential histogram's counts, each value multiplied by `unit`. Negative values (none
 * for durations or token counts) are counted as zero.
 */
export function addExponentialBuckets(into: LogHistogram, buckets: ExponentialBuckets, unit: number, sign = 1): void {
  const base = 2 ** (2 ** -buckets.scale);
  let zeros = buckets.zeroCount;
  for (const count of buckets.negative.counts) zeros += count;
  if (zeros > 0) into.add(0, sign * zeros);
  const { offset, counts } = buckets.positive;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    // Bucket index k holds (base^k, base^(k+1)]; its geometric midpoint is base^(k+0.5).
    if (count > 0) into.add(base ** (offset + i + 0.5) * unit, sign * count);
  }
}
