// Values that do not fit their columns: one rule per field (core/src/spans/column-fit.ts).

import { describe, expect, it } from 'vitest';
import { fitToColumns, MAX_INTEGER_COLUMN, NO_USAGE, type StoredSpan } from '../src/index.ts';

function span(overrides: Partial<StoredSpan> = {}): StoredSpan {
  return {
    projectId: '00000000-0000-0000-0000-000000000001',
    traceId: 'ab'.repeat(16),
    spanId: 'cd'.repeat(8),
    parentSpanId: null,
    name: 'chat',
    kind: 3,
    serviceName: 'app',
    startMs: Date.now(),
    durationMs: 12,
    category: 'model',
    status: 'ok',
    statusMessage: null,
    tenantId: 'acme',
    sessionId: null,
    userId: null,
    surface: null,
    deployment: null,
    environment: null,
    model: 'gpt-4o',
    provider: 'openai',
    operation: 'chat',
    promptName: null,
    promptVersion: null,
    ttftMs: null,
    wrapper: false,
    ...NO_USAGE,
    attributes: {},
    events: [],
    ...overrides,
  };
}

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
    expect(bad).toMatchObject({ ttftMs: null, costUsd: null, durationMs: 0, kind: 0 });
  });

  it('rejects a span that starts before 1970, after 9999 or at no number at all', () => {
    for (const startMs of [-1e14, 1.8e13 * 1000, Number.NaN])
      expect(fitToColumns(span({ startMs })).rejection).toContain('outside the years 1970-9999');
    expect(fitToColumns(span({ startMs: 0 })).rejection).toBeNull();
  });
});
