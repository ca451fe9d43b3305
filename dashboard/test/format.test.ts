// How the dashboard writes numbers, and CSV quoting.

import { describe, expect, it } from 'vitest';
import { formatCount, formatMs, formatPercent, formatUsd, toCsv } from '../lib/format.ts';
import { stepFor } from '../lib/view-step.ts';

describe('formatting', () => {
  it('writes durations, money, ratios and counts with units, and a dash for nothing', () => {
    expect([formatMs(42.4), formatMs(1234), formatMs(12_345), formatMs(null)]).toEqual(['42 ms', '1.23 s', '12.3 s', '—']);
    expect([formatUsd(1234.5), formatUsd(0.00123), formatUsd(0), formatUsd(undefined)]).toEqual(['$1,234.50', '$0.0012', '$0.00', '—']);
    expect([formatPercent(0.0123), formatPercent(0.5, 0), formatPercent(Number.NaN)]).toEqual(['1.2%', '50%', '—']);
    expect(formatCount(1234567.4)).toBe('1,234,567');
  });

  it('quotes CSV fields that need it (RFC 4180)', () => {
    expect(toCsv(['tenant', 'spend'], [['acme, inc', '$1,234.50'], ['plain', 'say "hi"']])).toBe('tenant,spend\r\n"acme, inc","$1,234.50"\r\nplain,"say ""hi"""\r\n');
  });

  it('draws about 60 points whatever the range, never finer than a minute', () => {
    expect(stepFor(3_600_000)).toBe(60_000);
    expect(stepFor(86_400_000)).toBe(1_440_000);
    expect(stepFor(30 * 86_400_000)).toBe(43_200_000);
  });
});
