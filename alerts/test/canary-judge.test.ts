// The canary judge on synthetic canaries: clearly worse fails, equal-but-noisy passes over many
// seeds, too few samples is Inconclusive; and its Mann-Whitney test against SciPy's numbers.

import { describe, expect, it } from 'vitest';
import { canarySchema } from '../src/config/schema.ts';
import { type Samples, judge } from '../src/canary/judge.ts';
import { fisherGreater, mannWhitney } from '../src/canary/statistics.ts';

const config = canarySchema.parse({});

/** A small seeded generator (mulberry32), so that every run judges the same canaries. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lognormal(rand: () => number, median: number, sigma: number): number {
  const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return median * Math.exp(sigma * z);
}

interface Traffic {
  latencyMs: number;
  ttftMs: number;
  errorRate: number;
  costUsd: number;
}

function traffic(rand: () => number, n: number, t: Traffic) {
  const latency: number[] = [];
  const ttft: number[] = [];
  const errors: number[] = [];
  const cost: number[] = [];
  for (let i = 0; i < n; i++) {
    latency.push(lognormal(rand, t.latencyMs, 0.6));
    ttft.push(lognormal(rand, t.ttftMs, 0.5));
    errors.push(rand() < t.errorRate ? 1 : 0);
    cost.push(lognormal(rand, t.costUsd, 0.4));
  }
  return { latency, ttft, errors, cost };
}

function samples(seed: number, n: number, canary: Traffic, baseline: Traffic): Samples {
  const rand = random(seed);
  const c = traffic(rand, n, canary);
  const b = traffic(rand, n, baseline);
  return {
    latency: { canary: c.latency, baseline: b.latency },
    ttft: { canary: c.ttft, baseline: b.ttft },
    errors: { canary: c.errors, baseline: b.errors },
    cost_per_request: { canary: c.cost, baseline: b.cost },
  };
}

const healthy: Traffic = { latencyMs: 800, ttftMs: 300, errorRate: 0.01, costUsd: 0.002 };

describe('Mann-Whitney U', () => {
  it('matches SciPy (asymptotic, continuity-corrected, one-sided)', () => {
    const small = mannWhitney([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(small.u).toBe(17);
    expect(small.pGreater).toBeCloseTo(0.055673, 5);
    const ties = mannWhitney([1, 2, 2, 3, 3, 3, 4, 5, 6, 7], [2, 3, 4, 4, 5, 5, 6, 8, 9, 9, 9]);
    expect(ties.u).toBe(27);
    expect(ties.pGreater).toBeCloseTo(0.978553, 5);
    const binary = mannWhitney(
      [...Array(90).fill(0), ...Array(10).fill(1)],
      [...Array(97).fill(0), ...Array(3).fill(1)],
    );
    expect(binary.u).toBe(5350);
    expect(binary.pGreater).toBeCloseTo(0.022755, 5);
  });
});

describe('Fisher exact test', () => {
  it('matches SciPy (one-sided, greater)', () => {
    // 10 of 120 canary requests past the pooled p95 against 2 of 120 baseline requests.
    expect(fisherGreater(10, 120, 120, 12)).toBeCloseTo(0.0169735, 6);
    // 3 errors in 100 canary calls against 1 in 200.
    expect(fisherGreater(3, 100, 200, 4)).toBeCloseTo(0.1096197, 6);
    expect(fisherGreater(0, 50, 50, 0)).toBe(1);
  });
});

describe('canary judge', () => {
  it('fails a canary that is clearly slower and erroring', () => {
    const judgement = judge(
      samples(1, 300, { ...healthy, latencyMs: 4000, ttftMs: 1500, errorRate: 0.2 }, healthy),
      config,
    );
    expect(judgement.verdict).toBe('fail');
    expect(judgement.score).toBe(0);
    expect(judgement.reason).toMatch(/critical: errors/);
  });

  it('fails a canary that is only slower (latency and TTFT), without errors', () => {
    const judgement = judge(samples(2, 300, { ...healthy, latencyMs: 1600, ttftMs: 600 }, healthy), config);
    expect(judgement.verdict).toBe('fail');
    expect(judgement.metrics.filter((m) => m.classification === 'high').map((m) => m.metric)).toEqual([
      'latency',
      'ttft',
    ]);
  });

  it('sees a canary worse only in its tail', () => {
    const base = samples(3, 2000, healthy, healthy);
    const rand = random(33);
    // 15% of the canary's requests take 5× as long: the median barely moves, the p95 does.
    base.latency.canary = base.latency.canary.map((v) => (rand() < 0.15 ? v * 5 : v));
    const latency = judge(base, config).metrics.find((m) => m.metric === 'latency')!;
    expect(latency.classification).toBe('high');
    expect(latency.tailEffect!).toBeGreaterThan(1);
  });

  it('passes an equal but noisy canary, over 200 seeds', () => {
    const verdicts = { pass: 0, inconclusive: 0, fail: 0 };
    for (let seed = 100; seed < 300; seed++) verdicts[judge(samples(seed, 120, healthy, healthy), config).verdict]++;
    expect(verdicts.fail).toBe(0);
    expect(verdicts.pass).toBeGreaterThanOrEqual(190);
  });

  it('is Inconclusive, not Fail, with too few samples, even for a bad canary', () => {
    const judgement = judge(samples(4, 20, { ...healthy, latencyMs: 4000, errorRate: 0.5 }, healthy), config);
    expect(judgement.verdict).toBe('inconclusive');
    expect(judgement.reason).toMatch(/not enough data/);
  });
});
