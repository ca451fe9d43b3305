import { describe, expect, it } from 'vitest';
import { periodBuckets, sloHistory } from '../src/slo/budget-history.ts';

describe("an SLO's history", () => {
  it('gives each bucket its SLI and the budget left as the period goes on', () => {
    const points = sloHistory(
      [
        { fromMs: 0, toMs: 1, counts: { total: 0, bad: 0 } },
        { fromMs: 1, toMs: 2, counts: { total: 1000, bad: 0 } },
        { fromMs: 2, toMs: 3, counts: { total: 1000, bad: 10 } },
        { fromMs: 3, toMs: 4, counts: { total: 1000, bad: 50 } },
      ],
      0.99,
    );
    const close = (values: (number | null)[], expected: (number | null)[]) => {
      for (const [i, e] of expected.entries()) {
        if (e === null) expect(values[i]).toBeNull();
        else expect(values[i]).toBeCloseTo(e, 12);
      }
    };
    close(
      points.map((p) => p.sli),
      [null, 1, 0.99, 0.95],
    );
    // Allowed after each bucket: 0, 10, 20, 30 bad events; spent 0, 0, 10, 60.
    close(
      points.map((p) => p.budgetRemaining),
      [null, 1, 0.5, -1],
    );
  });

  it('splits the period into whole-minute buckets that end now and cover it', () => {
    const day = 86_400_000;
    const now = Date.UTC(2026, 11, 6, 12, 30, 45);
    const buckets = periodBuckets(now, 30 * day, 30);
    expect(buckets).toHaveLength(30);
    expect(buckets.at(-1)!.toMs).toBe(Date.UTC(2026, 11, 6, 12, 30));
    expect(buckets[0]!.fromMs).toBe(Date.UTC(2026, 11, 6, 12, 30) - 30 * day);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.fromMs).toBe(buckets[i - 1]!.toMs);
  });
});
