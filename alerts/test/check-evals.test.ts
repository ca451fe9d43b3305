// The evals gate: a significant drop against the baseline fails, noise between two runs of one
// golden set never does (200 seeds), a minimum is checked with a confidence interval, and too few
// results are inconclusive.

import { describe, expect, it } from 'vitest';
import { judgeEvals } from '../src/check/evals.ts';

const base = {
  projectId: '00000000-0000-0000-0000-000000000000',
  deployment: 'ci',
  window: { from: new Date(0), to: new Date(1) },
  confidence: 0.95,
  minRequests: 20,
  name: 'faithfulness',
  maxDrop: 0,
};

/** Scores in [0, 1] like a judge model's: a Beta-ish draw around `mean`, with a few outright misses. */
function scores(seed: number, mean: number, n: number): number[] {
  let s = seed >>> 0;
  const u = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return Array.from({ length: n }, () => {
    if (u() < 0.05) return 0;
    const noise = (u() + u() + u() - 1.5) * 0.3;
    return Math.min(1, Math.max(0, mean + noise));
  });
}

describe('the evals check', () => {
  it('never fails noise: 200 pairs of runs drawn from one distribution', () => {
    const verdicts: Record<string, number> = {};
    for (let seed = 0; seed < 200; seed++) {
      const n = 40 + (seed % 5) * 40;
      const report = judgeEvals(
        { ...base, baseline: 'main' },
        scores(2 * seed + 1, 0.8, n),
        scores(2 * seed + 2, 0.8, 200),
      );
      verdicts[report.verdict] = (verdicts[report.verdict] ?? 0) + 1;
    }
    expect(verdicts.fail ?? 0).toBe(0);
    expect(verdicts.pass).toBeGreaterThan(190);
  });

  it('fails a significant drop, and passes one within --max-drop', () => {
    let failed = 0;
    for (let seed = 0; seed < 50; seed++) {
      const dropped = judgeEvals(
        { ...base, baseline: 'main' },
        scores(1000 + seed, 0.7, 300),
        scores(2000 + seed, 0.8, 300),
      );
      if (dropped.verdict === 'fail') failed++;
    }
    // A drop of a tenth (under half a standard deviation) on 300 results is found nearly always;
    // on 120 about 60% of the time: the price of a test that noise never fails.
    expect(failed).toBeGreaterThan(45);
    const allowed = judgeEvals(
      { ...base, baseline: 'main', maxDrop: 0.2 },
      scores(3000, 0.7, 120),
      scores(3001, 0.8, 200),
    );
    expect(allowed.verdict).toBe('pass');
    expect(allowed.findings[0]!.value).toMatch(/drop 0\.\d{3}/);
  });

  it('checks a minimum score with its interval, and says inconclusive on a handful of results', () => {
    expect(judgeEvals({ ...base, min: 0.7 }, scores(1, 0.8, 200), null).verdict).toBe('pass');
    expect(judgeEvals({ ...base, min: 0.9 }, scores(1, 0.8, 200), null).verdict).toBe('fail');
    const few = judgeEvals({ ...base, min: 0.99 }, scores(1, 0.8, 8), null);
    expect(few.verdict).toBe('inconclusive');
    expect(few.summary).toMatch(/8 scored result\(s\): fewer than 20/);
    expect(judgeEvals({ ...base, baseline: 'main' }, [], scores(1, 0.8, 50)).verdict).toBe('inconclusive');
  });
});
