// Burn-rate maths against the SRE Workbook's worked numbers (chapter 5, "Alerting on SLOs").

import { describe, expect, it } from 'vitest';
import {
  WORKBOOK_WINDOWS,
  budgetConsumedAtFiring,
  burnRate,
  detectionSeconds,
  evaluatePair,
  scaledWindows,
} from '../src/slo/burn-rate.ts';

const DAY = 86_400_000;
const [fastPage, slowPage, fastTicket, slowTicket] = WORKBOOK_WINDOWS;

describe('burn rates', () => {
  it('is 1 when errors arrive exactly at the budget, and 1000 for a total outage at 99.9%', () => {
    expect(burnRate(1, 1000, 0.999)).toBeCloseTo(1, 10);
    expect(burnRate(1000, 1000, 0.999)).toBeCloseTo(1000, 6);
    expect(burnRate(0, 0, 0.999)).toBeNull();
  });

  it('spends 2%, 5%, 10% and 10% of a 30-day budget when each pair fires (table 5-8)', () => {
    expect(budgetConsumedAtFiring(fastPage!, 30 * DAY)).toBeCloseTo(0.02, 6);
    expect(budgetConsumedAtFiring(slowPage!, 30 * DAY)).toBeCloseTo(0.05, 6);
    expect(budgetConsumedAtFiring(fastTicket!, 30 * DAY)).toBeCloseTo(0.1, 6);
    expect(budgetConsumedAtFiring(slowTicket!, 30 * DAY)).toBeCloseTo(0.1, 6);
  });

  it('detects a total outage at 99.9% in about 52 s (1h/5m) and 130 s (6h/30m)', () => {
    expect(detectionSeconds(fastPage!, 0.999, 1)).toBeCloseTo(51.84, 2);
    expect(detectionSeconds(slowPage!, 0.999, 1)).toBeCloseTo(129.6, 2);
  });

  it('never pages on a 1% error rate at 99.9% with the fast pair, and catches it in 3.6 h with the slow one', () => {
    expect(detectionSeconds(fastPage!, 0.999, 0.01)).toBeNull();
    expect(detectionSeconds(slowPage!, 0.999, 0.01)! / 3600).toBeCloseTo(3.6, 6);
  });

  it('scales the windows with the SLO period, keeping the share of budget each pair spends', () => {
    const weekly = scaledWindows(7 * DAY);
    expect(weekly.map((w) => [w.longMs / 60_000, w.shortMs / 60_000])).toEqual([
      [14, 1],
      [84, 7],
      [336, 28],
      [1008, 84],
    ]);
    for (const [i, pair] of weekly.entries())
      expect(budgetConsumedAtFiring(pair, 7 * DAY)).toBeCloseTo(
        budgetConsumedAtFiring(WORKBOOK_WINDOWS[i]!, 30 * DAY),
        2,
      );
    expect(scaledWindows(30 * DAY)).toEqual(WORKBOOK_WINDOWS);
  });
});

describe('a window pair', () => {
  it('fires only when both windows burn at the rate', () => {
    const both = evaluatePair(fastPage!, { total: 10_000, bad: 200 }, { total: 1000, bad: 50 }, 0.999, 20);
    expect(both.firing).toBe(true);
    expect(both.long.burnRate).toBeCloseTo(20, 6);
    // The errors stopped: the short window is clean, so the alert resets though the hour still burns.
    const stopped = evaluatePair(fastPage!, { total: 10_000, bad: 200 }, { total: 1000, bad: 0 }, 0.999, 20);
    expect(stopped.firing).toBe(false);
    // A spike in the short window alone is not enough.
    expect(evaluatePair(fastPage!, { total: 10_000, bad: 60 }, { total: 1000, bad: 60 }, 0.999, 20).firing).toBe(false);
  });

  it('does not page on one failure at low traffic', () => {
    const night = evaluatePair(fastPage!, { total: 5, bad: 1 }, { total: 1, bad: 1 }, 0.999, 20);
    expect(night.long.burnRate).toBeCloseTo(200, 6);
    expect(night).toMatchObject({ firing: false, insufficient: true });
    expect(evaluatePair(fastPage!, { total: 25, bad: 5 }, { total: 2, bad: 1 }, 0.999, 20).firing).toBe(true);
  });
});
