// The SQL encoding of one value (log-histogram-sql.ts) is the bytes LogHistogram would write: asked
// of Postgres for values across the whole range, bucket boundaries included, decoded by LogHistogram.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { GAMMA, keyOf, LogHistogram, MAX_VALUE, MIN_VALUE } from '../src/histogram/log-histogram.ts';
import { histogramKeySql, histogramPairSql } from '../src/histogram/log-histogram-sql.ts';
import { seededRandom } from '../src/seeded-random.ts';

const unit = (value: string, count: number) => histogramPairSql(histogramKeySql(value), String(count));

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

function values(): number[] {
  const out = [0, -5, MIN_VALUE, MIN_VALUE * 1.0001, MAX_VALUE, MAX_VALUE * 10, 1, 0.5, 12.5, 800, 86_400_000];
  const random = seededRandom(7);
  // Log-uniform from a microsecond to 11 days, and values a hair either side of bucket boundaries.
  for (let i = 0; i < 4000; i++) out.push(10 ** (random() * 12 - 3));
  for (let k = -400; k < 1280; k += 7) {
    const boundary = GAMMA ** k;
    out.push(boundary * (1 + 1e-9), boundary * (1 - 1e-9));
  }
  return out;
}

describe('a value encoded in SQL', () => {
  it('counts of any size, of either sign, encode as LogHistogram writes them', async () => {
    const counts = [1, -1, 63, -64, 64, 8191, -8192, 8192, 1_048_575, -1_048_576, 134_217_727, 2 ** 34 - 1, -(2 ** 34)];
    const { rows } = await db.pool.query<{ c: string; pair: Buffer }>(
      `select c::text, ${histogramPairSql('-433', 'c')} as pair from unnest($1::int8[]) c`,
      [counts],
    );
    for (const row of rows) {
      const got = new LogHistogram();
      got.mergeEncoded(row.pair);
      const expected = new LogHistogram();
      expected.addKey(-433, Number(row.c));
      expect(got.encode(), row.c).toEqual(expected.encode());
    }
  });

  it('decodes to the key and count LogHistogram gives it, for values across the whole range', async () => {
    const all = values();
    const { rows } = await db.pool.query<{ v: number; plus: Buffer | null; minus: Buffer | null }>(
      `select v, ${unit('v', 1)} as plus, ${unit('v', -1)} as minus
         from unnest($1::float8[]) v`,
      [all],
    );
    expect(rows).toHaveLength(all.length);
    for (const row of rows) {
      expect(row.plus).not.toBeNull();
      for (const [bytes, count] of [
        [row.plus, 1],
        [row.minus, -1],
      ] as const) {
        const got = new LogHistogram();
        got.mergeEncoded(bytes);
        const expected = new LogHistogram();
        expected.addKey(keyOf(row.v), count);
        expect(got.encode(), String(row.v)).toEqual(expected.encode());
      }
    }
  });

  it('merges by concatenation with stored encodings, and a null value encodes nothing', async () => {
    const all = values().slice(0, 500);
    const expected = new LogHistogram();
    for (const v of all) expected.add(v);
    const { rows } = await db.pool.query<{ merged: Buffer; none: Buffer | null }>(
      `select string_agg(${unit('v', 1)}, ''::bytea) as merged, (select ${unit('null::float8', 1)}) as none
         from unnest($1::float8[]) v`,
      [all],
    );
    const got = new LogHistogram();
    got.mergeEncoded(rows[0]!.merged);
    expect(got.encode()).toEqual(expected.encode());
    expect(rows[0]!.none).toBeNull();
  });
});
