// The log-bucketed histogram against Postgres's exact percentile_cont on the same values.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALPHA, LogHistogram, MAX_VALUE, MIN_VALUE } from '../src/histogram/log-histogram.ts';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { seededRandom } from '../src/seeded-random.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(() => db.drop());

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
}

const QUANTILES = [0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

async function exactQuantiles(values: number[]): Promise<number[]> {
  const { rows } = await db.pool.query<{ q: number[] }>(
    `select percentile_cont($2::float8[]) within group (order by v) as q from unnest($1::float8[]) as v`,
    [values, QUANTILES],
  );
  return rows[0]!.q;
}

async function worstRelativeError(values: number[]): Promise<number> {
  const histogram = new LogHistogram();
  for (const v of values) histogram.add(v);
  const exact = await exactQuantiles(values);
  return Math.max(...QUANTILES.map((q, i) => Math.abs(histogram.quantile(q)! - exact[i]!) / exact[i]!));
}

describe('quantiles from a log-bucketed histogram', () => {
  it('stay within 1% of percentile_cont on a skewed (log-normal) latency distribution', async () => {
    const random = seededRandom(7);
    const values = Array.from({ length: 50_000 }, () => Math.exp(5 + 1.2 * normal(random)));
    const error = await worstRelativeError(values);
    expect(error).toBeLessThanOrEqual(0.01);
    expect(error).toBeLessThanOrEqual(ALPHA + 1e-9);
  });

  it('stay within 1% on a bimodal distribution (cache hits and slow model calls)', async () => {
    const random = seededRandom(11);
    const values = Array.from({ length: 40_000 }, () =>
      random() < 0.8 ? 2 + random() * 3 : 800 + Math.abs(normal(random)) * 2500,
    );
    expect(await worstRelativeError(values)).toBeLessThanOrEqual(0.01);
  });

  it('stay within 1% on a few values, where percentile_cont interpolates across a wide gap', async () => {
    const values = [3, 5, 7, 4000, 4100, 9000, 12, 15];
    expect(await worstRelativeError(values)).toBeLessThanOrEqual(0.01);
  });

  it('merge by concatenating encodings, the way SQL string_agg does', () => {
    const random = seededRandom(3);
    const a = new LogHistogram();
    const b = new LogHistogram();
    const whole = new LogHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = Math.exp(3 + normal(random));
      (i % 2 ? a : b).add(v);
      whole.add(v);
    }
    const concatenated = Buffer.concat([a.encode()!, b.encode()!]);
    const merged = new LogHistogram();
    merged.mergeEncoded(concatenated);
    for (const q of QUANTILES) expect(merged.quantile(q)).toBe(whole.quantile(q));
  });

  it('cancel out when a delta removes what was added', () => {
    const added = new LogHistogram();
    for (const v of [10, 20, 30]) added.add(v);
    const removed = new LogHistogram();
    removed.add(20, -1);
    const merged = new LogHistogram();
    merged.mergeEncoded(Buffer.concat([added.encode()!, removed.encode()!]));
    expect(merged.total).toBe(2);
    expect(merged.quantile(1)).toBeCloseTo(30, 0);
    expect(merged.countAtOrBelow(15)).toBe(1);
  });

  it('give the same counts however values arrive: one by one, in many small encodings, read in between', () => {
    for (const spread of [0.3, 2.5]) {
      // A narrow spread stays under the key count where compaction sorts; a wide one scans slots.
      const random = seededRandom(spread * 10);
      const oneByOne = new LogHistogram();
      const fromParts = new LogHistogram();
      for (let part = 0; part < 600; part++) {
        const piece = new LogHistogram();
        for (let i = 0; i < 20; i++) {
          const v = Math.exp(4 + spread * normal(random));
          piece.add(v);
          oneByOne.add(v);
        }
        fromParts.mergeEncoded(piece.encode());
        if (part % 97 === 0) fromParts.quantile(0.5);
      }
      expect(Buffer.from(fromParts.encode()!)).toEqual(Buffer.from(oneByOne.encode()!));
      expect(fromParts.total).toBe(12_000);
    }
  });

  it('read one stored encoding in place to the same quantiles as after folding it', () => {
    // Values from sub-microsecond (the zero bucket) past MAX_VALUE (clamped), often the same ones, so
    // concatenated encodings share keys; counts of either sign, as a pending delta's are.
    const value = fc.oneof(
      fc.constantFrom(0, MIN_VALUE, 3, 250, 251, MAX_VALUE, 2 * MAX_VALUE),
      fc.double({ min: 1e-4, max: 1e10, noNaN: true }),
    );
    const encoding = fc
      .array(fc.tuple(value, fc.integer({ min: -3, max: 5 })), { minLength: 1, maxLength: 60 })
      .map((values) => {
        const h = new LogHistogram();
        for (const [v, count] of values) h.add(v, count);
        return h.encode() ?? new Uint8Array();
      });
    fc.assert(
      fc.property(
        fc.array(encoding, { minLength: 1, maxLength: 3 }),
        fc.constantFrom(1, -1),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (encodings, sign, q) => {
          // As a metrics read gets them: the rows' encodings concatenated (several are out of key order).
          const bytes = Buffer.concat(encodings);
          const inPlace = new LogHistogram();
          inPlace.mergeEncoded(bytes, sign);
          const folded = new LogHistogram();
          folded.mergeEncoded(bytes, sign);
          void folded.total; // folds the encoding into sorted keys and counts
          expect(inPlace.quantile(q)).toBe(folded.quantile(q));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
