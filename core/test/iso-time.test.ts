// isoTime, the series' fast bucket label, against Date#toISOString.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../src/query/iso-time.ts';

const MAX_DATE_MS = 8.64e15;

describe('isoTime', () => {
  it('gives the string toISOString gives, for any time a Date holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_DATE_MS, max: MAX_DATE_MS }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it('gives it for consecutive minutes across day ends, and for fractions of a millisecond', () => {
    const start = Date.UTC(2026, 11, 31, 22, 0);
    for (let ms = start; ms < start + 4 * 3_600_000; ms += 60_000) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    for (const ms of [0, -1, 1.5, -0.25, Date.UTC(1969, 11, 31, 23, 59, 59, 999)])
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
