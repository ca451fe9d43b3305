// An SLO's history over its period, from its counts per bucket: the SLI of each bucket, and the
// error budget remaining as the period went on (what was allowed to fail so far, less what did).
// Small and pure, like burn-rate.ts.

import type { Counts } from './slo-events.ts';

export interface HistoryPoint {
  fromMs: number;
  toMs: number;
  /** Good events over all events in the bucket; null when the bucket had none. */
  sli: number | null;
  /**
   * 1 − (bad so far ÷ the bad the objective allows for the events so far): 1 is untouched, 0
   * spent, below 0 overspent. Null until the period has had an event.
   */
  budgetRemaining: number | null;
}

export function sloHistory(
  buckets: readonly { fromMs: number; toMs: number; counts: Counts }[],
  objective: number,
): HistoryPoint[] {
  let total = 0;
  let bad = 0;
  return buckets.map(({ fromMs, toMs, counts }) => {
    total += counts.total;
    bad += counts.bad;
    const allowed = total * (1 - objective);
    return {
      fromMs,
      toMs,
      sli: counts.total > 0 ? 1 - counts.bad / counts.total : null,
      budgetRemaining: total > 0 ? 1 - bad / allowed : null,
    };
  });
}

/** The period split into buckets ending at `nowMs`: whole minutes, `count` of them. */
export function periodBuckets(nowMs: number, periodMs: number, count: number): { fromMs: number; toMs: number }[] {
  const end = Math.floor(nowMs / 60_000) * 60_000;
  const size = Math.max(60_000, Math.ceil(periodMs / count / 60_000) * 60_000);
  const buckets: { fromMs: number; toMs: number }[] = [];
  for (let to = end; to > end - periodMs && buckets.length < count; to -= size)
    buckets.unshift({ fromMs: Math.max(to - size, end - periodMs), toMs: to });
  return buckets;
}
