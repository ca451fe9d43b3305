// Log histogram encodings computed in SQL: the bytes LogHistogram would write for a bucket key and
// a count, so SQL can merge raw spans into stored rollup histograms by concatenation (the query
// planner's raw edges). The mapping's constants come from log-histogram.ts; the test asks Postgres
// for thousands of values and counts and decodes each with LogHistogram.
//
// Postgres's ln() and V8's Math.log may differ in the last bit, which moves a value to the
// neighbouring bucket only when it lies within about 1e-16 of a bucket boundary.

import { LOG_GAMMA, MAX_KEY, MAX_VALUE, MIN_VALUE, ZERO_KEY } from './log-histogram.ts';

/** Exact decimal text of a double, so Postgres reads the same float8. */
const float8 = (n: number) => `${n.toPrecision(17)}::float8`;

/** SQL for the bucket key (int) of a float8 expression, as keyOf computes it; null for null. */
export function histogramKeySql(value: string): string {
  return `(case when not (${value} > ${float8(MIN_VALUE)}) then ${ZERO_KEY} when ${value} >= ${float8(MAX_VALUE)} then ${MAX_KEY} else ceil(ln(${value}) / ${float8(LOG_GAMMA)})::int end)`;
}

/** Varints of up to this many bytes: 2^35 - 1, far above any count one question reads. */
const MAX_VARINT_BYTES = 5;

/** SQL for the unsigned varint (bytea) of a non-negative int8 expression, as writeVarint writes it. */
function varintSql(n: string): string {
  const cases: string[] = [];
  for (let bytes = 1; bytes <= MAX_VARINT_BYTES; bytes++) {
    let value = `'\\x${'00'.repeat(bytes)}'::bytea`;
    for (let i = 0; i < bytes; i++) {
      const group = `((${n} >> ${7 * i}) & 127)::int`;
      value = `set_byte(${value}, ${i}, ${i < bytes - 1 ? `${group} | 128` : group})`;
    }
    cases.push(bytes < MAX_VARINT_BYTES ? `when ${n} < ${2 ** (7 * bytes)} then ${value}` : `else ${value}`);
  }
  return `(case ${cases.join(' ')} end)`;
}

const zigzagSql = (n: string) => `(((${n})::int8 << 1) # ((${n})::int8 >> 63))`;

/** SQL for the encoding of `count` values in bucket `key` (int8 expressions); null if either is. */
export function histogramPairSql(key: string, count: string): string {
  return `(${varintSql(zigzagSql(key))} || ${varintSql(zigzagSql(count))})`;
}
