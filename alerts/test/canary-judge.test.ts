// The canary judge on synthetic canaries: clearly worse fails, equal-but-noisy passes over many
// seeds, a huge regression fails on a handful of calls, a small one waits (saying how many more
// calls it needs), and healthy low-traffic canaries judged every tick for an hour never fail.

import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/canary/statistics.ts';
import { canarySchema } from '../src/config/schema.ts';
import { type Samples, judge } from '../src/canary/judge.ts';

const config = canarySchema.parse({});

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
  const rand = seededRandom(seed);
  return paired(traffic(rand, n, canary), traffic(rand, n, baseline));
}

/** Canary and baseline traffic as the judge takes it. */
function paired(c: ReturnType<typeof traffic>, b: ReturnType<typeof traffic>): Samples {
  return {
    latency: { canary: c.latency, baseline: b.latency },
    ttft: { canary: c.ttft, baseline: b.ttft },
    errors: { canary: c.errors, baseline: b.errors },
    cost_per_request: { canary: c.cost, baseline: b.cost },
  };
}

const healthy: Traffic = { latencyMs: 800, ttftMs: 300, errorRate: 0.01, costUsd: 0.002 };

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
    const rand = seededRandom(33);
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

  it('fails a low-traffic canary with a huge regression on a handful of calls', () => {
    // The demo's incident: 10× latency, 7× TTFT, 30× cost, at 0.4 canary calls/s: 8 calls in 20 s.
    const rand = seededRandom(7);
    const c = traffic(rand, 8, { ...healthy, latencyMs: 8000, ttftMs: 2100, costUsd: 0.06 });
    const b = traffic(rand, 400, healthy);
    const judgement = judge(paired(c, b), config);
    expect(judgement.verdict).toBe('fail');
    expect(judgement.metrics.filter((m) => m.classification === 'high').map((m) => m.metric)).toEqual([
      'latency',
      'ttft',
      'cost_per_request',
    ]);
  });

  it('does not fail 2 errors in 10 canary calls against a 1% baseline, but fails a canary whose every call errs', () => {
    const rand = seededRandom(11);
    const b = traffic(rand, 400, healthy);
    const c = traffic(rand, 10, healthy);
    c.errors = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    const twoInTen = judge(paired(c, b), config);
    expect(twoInTen.metrics.find((m) => m.metric === 'errors')?.classification).not.toBe('high');
    expect(twoInTen.verdict).not.toBe('fail');
    const down = traffic(rand, 5, healthy);
    down.errors = [1, 1, 1, 1, 1];
    const allFail = judge(paired(down, b), config);
    expect(allFail.verdict).toBe('fail');
    expect(allFail.reason).toMatch(/^critical: errors/);
  });

  it('says how many more calls a decision needs while a small regression is still unproven', () => {
    const rand = seededRandom(8);
    const c = traffic(rand, 12, { ...healthy, latencyMs: 1300 });
    const b = traffic(rand, 400, healthy);
    const judgement = judge(paired(c, b), config);
    expect(judgement.verdict).toBe('inconclusive');
    const latency = judgement.metrics.find((m) => m.metric === 'latency')!;
    expect(latency.classification).toBe('nodata');
    expect(latency.callsNeeded).toBeGreaterThan(0);
    expect(latency.reason).toMatch(/about \d+ more canary calls to decide at this effect, 38 more to pass/);
  });

  it('never fails a healthy low-traffic canary checked every tick for an hour, over 200 seeds', () => {
    // 0.4 canary calls/s against 3.6 for the baseline; judged every 10 s, as judge-deployment.ts
    // reads them: the canary's newest maxSamples calls, the baseline's over the same time.
    let fails = 0;
    let passes = 0;
    for (let seed = 1000; seed < 1200; seed++) {
      const rand = seededRandom(seed);
      const c = traffic(rand, 1440, healthy);
      const b = traffic(rand, 12_960, healthy);
      let failed = false;
      for (let tick = 1; tick <= 360 && !failed; tick++) {
        const end = tick * 4;
        const start = Math.max(0, end - config.maxSamples);
        const baseEnd = tick * 36;
        const baseStart = Math.max(start * 9, baseEnd - 5000);
        const window = (values: { canary: number[]; baseline: number[] }) => ({
          canary: values.canary.slice(start, end),
          baseline: values.baseline.slice(baseStart, baseEnd),
        });
        const verdict = judge(
          {
            latency: window({ canary: c.latency, baseline: b.latency }),
            ttft: window({ canary: c.ttft, baseline: b.ttft }),
            errors: window({ canary: c.errors, baseline: b.errors }),
            cost_per_request: window({ canary: c.cost, baseline: b.cost }),
          },
          config,
        ).verdict;
        if (verdict === 'fail') failed = true;
        if (tick === 360 && verdict === 'pass') passes++;
      }
      if (failed) fails++;
    }
    expect(fails).toBe(0);
    expect(passes).toBeGreaterThanOrEqual(190);
  }, 600_000);
});
