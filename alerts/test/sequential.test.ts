// The mixture SPRT on its own: the closed form, the calls-needed estimate, and its promise: under
// no effect, looking after every sample, it rejects at most alpha of the time.

import { describe, expect, it } from 'vitest';
import { alwaysValidPValue, meanAndVariance, mixtureLogRatio, samplesNeeded } from '../src/canary/sequential.ts';
import { seededRandom } from '../src/canary/statistics.ts';

/** Seeded normals: mulberry32 and Box-Muller. */
function normals(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('mixture sequential probability ratio test', () => {
  it('is the closed form of the normal mixture', () => {
    // d = 0.5, θ0 = 0.1, v = 0.04, τ² = 0.25: ½ ln(0.04/0.29) + 0.25·0.16/(2·0.04·0.29).
    expect(mixtureLogRatio(0.5, 0.1, 0.04, 0.25)).toBeCloseTo(0.5 * Math.log(0.04 / 0.29) + 0.04 / 0.0232, 12);
    expect(alwaysValidPValue(0.5, 0.1, 0.04, 0.25)).toBeCloseTo(Math.exp(-mixtureLogRatio(0.5, 0.1, 0.04, 0.25)), 12);
    expect(alwaysValidPValue(0.05, 0.1, 0.04, 0.25)).toBe(1);
    expect(meanAndVariance([1, 2, 3, 4])).toEqual({ n: 4, mean: 2.5, variance: 5 / 3 });
  });

  it('estimates how many more samples a rejection needs, and that many do reject', () => {
    const needed = samplesNeeded(0.4, 0.1, 1, 0.001, 0.5, 0.01, 10)!;
    expect(needed).toBeGreaterThan(0);
    expect(alwaysValidPValue(0.4, 0.1, 1 / (10 + needed) + 0.001, 0.5)).toBeLessThan(0.01);
    expect(alwaysValidPValue(0.4, 0.1, 1 / (10 + needed - 1) + 0.001, 0.5)).toBeGreaterThanOrEqual(0.01);
    expect(samplesNeeded(0.05, 0.1, 1, 0.001, 0.5, 0.01, 10)).toBeNull();
  });

  it('rejects at most alpha of the time under no effect, though checked after every sample', () => {
    const alpha = 0.05;
    const seeds = 1000;
    let rejected = 0;
    for (let seed = 0; seed < seeds; seed++) {
      const z = normals(seed);
      let sum = 0;
      for (let n = 1; n <= 2000; n++) {
        sum += z();
        if (alwaysValidPValue(sum / n, 0, 1 / n, 1) < alpha) {
          rejected++;
          break;
        }
      }
    }
    expect(rejected / seeds).toBeLessThanOrEqual(alpha);
    // A fixed-level z-test, checked as often, would reject far more often than alpha.
    let naive = 0;
    for (let seed = 0; seed < seeds; seed++) {
      const z = normals(seed);
      let sum = 0;
      for (let n = 1; n <= 2000; n++) {
        sum += z();
        if (sum / Math.sqrt(n) > 1.645) {
          naive++;
          break;
        }
      }
    }
    expect(naive / seeds).toBeGreaterThan(3 * alpha);
  });
});
