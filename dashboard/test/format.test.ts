// How the dashboard writes numbers, and CSV quoting.

import { describe, expect, it } from 'vitest';
import { formatCount, formatMs, formatPercent, formatSince, formatUnitUsd, formatUsd, toCsv } from '../lib/format.ts';
import { onStepGrid } from '../lib/series.ts';
import { alignedStart, stepFor } from '../lib/view-step.ts';

describe('formatting', () => {
  it('writes durations, money, ratios and counts with units, and a dash for nothing', () => {
    expect([formatMs(42.4), formatMs(1234), formatMs(12_345), formatMs(null)]).toEqual([
      '42 ms',
      '1.23 s',
      '12.3 s',
      '—',
    ]);
    expect([formatUsd(1234.5), formatUsd(0.00123), formatUsd(0), formatUsd(undefined)]).toEqual([
      '$1,234.50',
      '$0.0012',
      '$0.00',
      '—',
    ]);
    expect([formatPercent(0.0123), formatPercent(0.5, 0), formatPercent(Number.NaN)]).toEqual(['1.2%', '50%', '—']);
    expect(formatCount(1234567.4)).toBe('1,234,567');
  });

  it('writes unit costs to four decimals below a dollar, so a cent and a half is not a cent', () => {
    expect(formatUnitUsd(0.0134)).toBe('$0.0134');
    expect(formatUnitUsd(0.00004)).toBe('$0.000040');
    expect(formatUnitUsd(2.5)).toBe('$2.50');
    expect(formatUnitUsd(0)).toBe('$0.00');
    expect(formatUnitUsd(null)).toBe('—');
  });

  it('says when something started as a UTC time and how long ago', () => {
    const now = Date.parse('2026-11-23T14:30:00Z');
    expect(formatSince('2026-11-23T11:45:00.000Z', now)).toBe('11:45 UTC, 2h 45m ago');
    expect(formatSince('2026-11-23T14:29:40.000Z', now)).toBe('14:29 UTC, just now');
    expect(formatSince('2026-11-23T14:12:00.000Z', now)).toBe('14:12 UTC, 18m ago');
    expect(formatSince('2026-11-20T09:00:00.000Z', now)).toBe('2026-11-20 09:00 UTC, 3d ago');
  });

  it('puts engine samples on the view step grid, null where the engine has none', () => {
    const from = new Date('2026-11-23T12:00:00Z');
    const to = new Date('2026-11-23T12:10:00Z');
    const grid = onStepGrid(
      [
        { at: '2026-11-23T12:02:00.000Z', value: 3 },
        { at: '2026-11-23T12:08:00.000Z', value: 20 },
      ],
      from,
      to,
      120_000,
      'burn',
    );
    expect(grid.map((p) => p.burn)).toEqual([null, 3, null, null, 20]);
    expect(grid.map((p) => p.time)).toEqual(['12:00', '12:02', '12:04', '12:06', '12:08']);
  });

  it('quotes CSV fields that need it (RFC 4180)', () => {
    expect(
      toCsv(
        ['tenant', 'spend'],
        [
          ['acme, inc', '$1,234.50'],
          ['plain', 'say "hi"'],
        ],
      ),
    ).toBe('tenant,spend\r\n"acme, inc","$1,234.50"\r\nplain,"say ""hi"""\r\n');
  });

  it('writes text a spreadsheet would run as a formula as text (OWASP CSV injection), numbers as numbers', () => {
    expect(
      toCsv(
        ['tenant', 'n'],
        [
          ['=HYPERLINK("http://evil","x")', -3],
          ['+1+2', 1.5],
          ['-2+3', 0],
          ['@SUM(A1)', 2],
          ['\tcmd', 3],
          ['acme', -0.25],
        ],
      ),
    ).toBe(
      'tenant,n\r\n"\'=HYPERLINK(""http://evil"",""x"")",-3\r\n\'+1+2,1.5\r\n\'-2+3,0\r\n\'@SUM(A1),2\r\n\'\tcmd,3\r\nacme,-0.25\r\n',
    );
  });

  it('draws about 60 points whatever the range, never finer than a minute', () => {
    expect(stepFor(3_600_000)).toBe(60_000);
    expect(stepFor(86_400_000)).toBe(1_440_000);
    expect(stepFor(30 * 86_400_000)).toBe(43_200_000);
    // Past an hour, whole hours: 7 days / 60 is 168 minutes, answered as 3-hour points from hour rollups.
    expect(stepFor(7 * 86_400_000)).toBe(3 * 3_600_000);
    expect(alignedStart(Date.UTC(2026, 0, 1, 10, 37), 3 * 3_600_000)).toBe(Date.UTC(2026, 0, 1, 10));
    expect(alignedStart(Date.UTC(2026, 0, 1, 10, 37), 1_440_000)).toBe(Date.UTC(2026, 0, 1, 10, 37));
  });
});
