// Values that do not fit their columns: one rule per field (core/src/spans/column-fit.ts).

import { describe, expect, it } from 'vitest';
import { modelSpan } from '@vigil/testing';
import { fitToColumns, MAX_INTEGER_COLUMN } from '../src/index.ts';

const span = modelSpan;

describe('fitting a span to its columns', () => {
  it('leaves a span whose values fit alone', () => {
    const fine = span({ inputTokens: MAX_INTEGER_COLUMN, costUsd: 0.5, costSource: 'catalog', ttftMs: 80 });
    expect(fitToColumns(fine)).toEqual({ rejection: null, cleared: [] });
    expect(fine.inputTokens).toBe(MAX_INTEGER_COLUMN);
  });

  it('clears token counts out of the integer range, and the cost priced from them, to null', () => {
    const bad = span({ inputTokens: 3_000_000_000, outputTokens: 1e21, costUsd: 12, costSource: 'catalog' });
    expect(fitToColumns(bad).cleared).toEqual(['inputTokens', 'outputTokens', 'costUsd']);
    expect(bad).toMatchObject({ inputTokens: null, outputTokens: null, costUsd: null, costSource: null });
  });

  it('clears NaN, infinite and negative measures, and a kind that is not an OTLP SpanKind', () => {
    const bad = span({ ttftMs: Number.NaN, costUsd: Number.POSITIVE_INFINITY, durationMs: -1, kind: 4_000_000_000 });
    expect(fitToColumns(bad).cleared).toEqual(['costUsd', 'ttftMs', 'durationMs', 'kind']);
    expect(bad).toMatchObject({ ttftMs: null, costUsd: null, durationMs: null, kind: 0 });
  });

  it('rejects a span that starts before 1970, after 9999 or at no number at all', () => {
    for (const startMs of [-1e14, 1.8e13 * 1000, Number.NaN])
      expect(fitToColumns(span({ startMs })).rejection).toContain('outside the years 1970-9999');
    expect(fitToColumns(span({ startMs: 0 })).rejection).toBeNull();
  });
});
