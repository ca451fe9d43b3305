// The CI gates' statistics: the bootstrap interval covers the true mean cost as often as it
// claims on a known (lognormal) distribution, and a limit fails only when exceeded with confidence.

import { describe, expect, it } from 'vitest';
import { judgeCost } from '../src/check/cost.ts';
import { bootstrap, bootstrapRatio, mean, quantile, verdictAgainst } from '../src/check/intervals.ts';
import { judgeLatency } from '../src/check/latency.ts';

function lognormal(seed: number, mu: number, sigma: number, n: number): number[] {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return Array.from({ length: n }, () =>
    Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())),
  );
}

const window = { from: new Date(0), to: new Date(1) };
const base = {
  projectId: '00000000-0000-0000-0000-000000000000',
  deployment: 'ci',
  window,
  confidence: 0.95,
  minRequests: 20,
};

describe('bootstrap intervals', () => {
  it('cover the true mean of a skewed cost distribution about as often as they claim', () => {
    // Cost per request ~ lognormal(ln 0.002, 0.8): mean 0.002 · e^0.32.
    const trueMean = 0.002 * Math.exp(0.8 ** 2 / 2);
    let covered = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const i = bootstrap(lognormal(t + 1, Math.log(0.002), 0.8, 200), mean, { confidence: 0.95, seed: t });
      if (i.low <= trueMean && trueMean <= i.high) covered++;
    }
    // 95% claimed; the percentile bootstrap runs a little short on skewed data at n = 200.
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThan(0.99);
  });

  it('cover the true p95 and a true ratio of means', () => {
    const trueP95 = 400 * Math.exp(0.5 * 1.6449);
    let p95Covered = 0;
    let ratioCovered = 0;
    // Seeded, so the same draws every run; 1000 resamples keep the quantile's sorts affordable.
    const trials = 100;
    for (let t = 0; t < trials; t++) {
      const p = bootstrap(lognormal(1000 + t, Math.log(400), 0.5, 300), quantile(0.95), {
        confidence: 0.95,
        seed: t,
        resamples: 1000,
      });
      if (p.low <= trueP95 && trueP95 <= p.high) p95Covered++;
      // Canary 30% costlier than its baseline, both lognormal(σ = 0.6).
      const r = bootstrapRatio(
        lognormal(2000 + t, Math.log(0.0013), 0.6, 150),
        lognormal(3000 + t, Math.log(0.001), 0.6, 300),
        mean,
        { confidence: 0.95, seed: t },
      );
      if (r.low <= 1.3 && 1.3 <= r.high) ratioCovered++;
    }
    expect(p95Covered / trials).toBeGreaterThan(0.88);
    expect(ratioCovered / trials).toBeGreaterThan(0.9);
  });

  it('decide against a limit: fail above with confidence, pass below, inconclusive across', () => {
    expect(verdictAgainst({ estimate: 2, low: 1.5, high: 2.5, confidence: 0.95 }, 1)).toBe('fail');
    expect(verdictAgainst({ estimate: 2, low: 1.5, high: 2.5, confidence: 0.95 }, 3)).toBe('pass');
    expect(verdictAgainst({ estimate: 2, low: 1.5, high: 2.5, confidence: 0.95 }, 2)).toBe('inconclusive');
  });
});

describe('the cost check', () => {
  const costs = lognormal(7, Math.log(0.002), 0.5, 400); // mean ≈ $0.00227
  const requests = { costUsd: costs, requests: 400, unpricedRequests: 0 };

  it('passes under the limit, fails over it, and is inconclusive at it or on too few requests', () => {
    expect(judgeCost({ ...base, maxUsdPerRequest: 0.003 }, requests, null).verdict).toBe('pass');
    expect(judgeCost({ ...base, maxUsdPerRequest: 0.0015 }, requests, null).verdict).toBe('fail');
    expect(judgeCost({ ...base, maxUsdPerRequest: mean(Float64Array.from(costs)) }, requests, null).verdict).toBe(
      'inconclusive',
    );
    const few = judgeCost(
      { ...base, maxUsdPerRequest: 0.0001 },
      { ...requests, costUsd: costs.slice(0, 5), requests: 5 },
      null,
    );
    expect(few.verdict).toBe('inconclusive');
    expect(few.summary).toMatch(/5 priced request\(s\): fewer than 20/);
  });

  it('forecasts the month at the stated volume, and compares with a baseline', () => {
    const monthly = judgeCost({ ...base, requestsPerMonth: 1_000_000, maxUsdPerMonth: 2000 }, requests, null);
    expect(monthly.verdict).toBe('fail');
    expect(monthly.figures.usdPerMonth).toBeCloseTo(1_000_000 * mean(Float64Array.from(costs)), 6);
    const cheaper = lognormal(8, Math.log(0.001), 0.5, 400);
    expect(judgeCost({ ...base, baseline: 'v1', maxIncrease: 0.1 }, requests, { costUsd: cheaper }).verdict).toBe(
      'fail',
    );
    const same = lognormal(9, Math.log(0.002), 0.5, 400);
    expect(judgeCost({ ...base, baseline: 'v1', maxIncrease: 0.5 }, requests, { costUsd: same }).verdict).toBe('pass');
  });

  it('leaves requests of unknown cost out and says so', () => {
    const report = judgeCost({ ...base, maxUsdPerRequest: 0.003 }, { ...requests, unpricedRequests: 12 }, null);
    expect(report.summary).toMatch(/12 request\(s\) made a model call of unknown cost/);
    expect(report.figures.unpricedRequests).toBe(12);
  });
});

describe('the latency check', () => {
  const latencies = lognormal(11, Math.log(400), 0.5, 400); // p95 ≈ 910 ms

  it('judges the p95 against a limit and a baseline', () => {
    expect(judgeLatency({ ...base, metric: 'latency', quantile: 0.95, maxMs: 1200 }, latencies, null).verdict).toBe(
      'pass',
    );
    expect(judgeLatency({ ...base, metric: 'latency', quantile: 0.95, maxMs: 700 }, latencies, null).verdict).toBe(
      'fail',
    );
    const slower = latencies.map((v) => v * 1.5);
    expect(
      judgeLatency({ ...base, metric: 'latency', quantile: 0.95, baseline: 'v1', maxIncrease: 0.15 }, slower, latencies)
        .verdict,
    ).toBe('fail');
  });
});
