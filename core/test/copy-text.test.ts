import { describe, expect, it } from 'vitest';
import { copyJson, copyText } from '../src/db/copy-text.ts';

describe('COPY text encoding', () => {
  it('escapes the COPY specials and drops NUL', () => {
    expect(copyText('a\tb\nc\rd\\e\u0000f')).toBe('a\\tb\\nc\\rd\\\\ef');
    expect(copyText(null)).toBe('\\N');
    expect(copyText('plain')).toBe('plain');
  });

  // COPY doubles backslashes; undo that to read the JSON Postgres will see.
  const asJsonb = (value: unknown) => JSON.parse(copyJson(value).replaceAll('\\\\', '\\'));

  it('makes JSON safe for jsonb without breaking escaped backslashes', () => {
    expect(asJsonb({ a: 'x\u0000y' })).toEqual({ a: 'xy' });
    expect(asJsonb({ a: '\ud800' })).toEqual({ a: '\ufffd' });
    // The text "\u0000" (backslash, u, zeros) is data, not an escape: it survives.
    const literal = { a: '\\u0000 and \\ud800' };
    expect(asJsonb(literal)).toEqual(literal);
    expect(asJsonb({ a: '😀' })).toEqual({ a: '😀' });
  });
});

describe('COPY timestamps', () => {
  it('formats epoch milliseconds as UTC with microseconds, across days and years', async () => {
    const { copyTimestamp } = await import('../src/db/copy-text.ts');
    expect(copyTimestamp(Date.parse('2026-11-23T04:05:06.789Z') + 0.123)).toBe('2026-11-23 04:05:06.789123+00');
    expect(copyTimestamp(Date.parse('2024-02-29T23:59:59.999Z'))).toBe('2024-02-29 23:59:59.999000+00');
    expect(copyTimestamp(0)).toBe('1970-01-01 00:00:00.000000+00');
    for (let i = 0; i < 200; i++) {
      const ms = Math.floor(Math.random() * 4e12);
      expect(copyTimestamp(ms).replace(' ', 'T').replace('+00', 'Z')).toBe(
        new Date(ms).toISOString().replace('Z', '000Z'),
      );
    }
  });
});
