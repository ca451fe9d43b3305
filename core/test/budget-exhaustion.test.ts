// When a monthly budget runs out at the last 24 hours' rate, on a known spend curve.

import { describe, expect, it } from 'vitest';
import { exhaustionOf } from '../src/query/read-budgets.ts';

const DAY = 86_400_000;
const month = { nowMs: Date.parse('2026-12-10T00:00:00Z'), monthEndMs: Date.parse('2027-01-01T00:00:00Z') };

describe('budget exhaustion', () => {
  it('runs out when the rest of the budget is spent at the last day’s rate', () => {
    // $300 of $500 spent, $40 in the last 24 h: $200 left lasts 5 days.
    const at = exhaustionOf({ spentUsd: 300, forecastUsd: 0, lastDayUsd: 40 }, 500, month);
    expect(new Date(at!).toISOString()).toBe('2026-12-15T00:00:00.000Z');
    // $6 an hour ($144 a day): $200 left lasts 33 h 20 min.
    expect(exhaustionOf({ spentUsd: 300, forecastUsd: 0, lastDayUsd: 144 }, 500, month)).toBe(
      month.nowMs + (200 / 144) * DAY,
    );
  });

  it('is null when the budget lasts the month or nothing was spent lately, and now when it is spent', () => {
    expect(exhaustionOf({ spentUsd: 300, forecastUsd: 0, lastDayUsd: 5 }, 500, month)).toBeNull(); // 40 days
    expect(exhaustionOf({ spentUsd: 300, forecastUsd: 0, lastDayUsd: 0 }, 500, month)).toBeNull();
    expect(exhaustionOf({ spentUsd: 520, forecastUsd: 0, lastDayUsd: 40 }, 500, month)).toBe(month.nowMs);
  });
});
