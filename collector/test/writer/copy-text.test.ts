import { describe, expect, it } from 'vitest';
import { copyJson, copyText } from '../../src/writer/copy-text.ts';

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
