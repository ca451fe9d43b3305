// Trace-context resolution on its own: which ancestor a span inherits from, cycles, depth, and
// which spans are wrappers. The database side is a plain function here; the collector tests run
// the same code against Postgres.

import { describe, expect, it } from 'vitest';
import { RecentSpans } from '../../src/trace/recent-spans.ts';
import { resolveBatchContext, type StoredLookup } from '../../src/trace/resolve-context.ts';
import { NO_USAGE, type StoredSpan } from '@vigil/core';

const P = '00000000-0000-0000-0000-000000000001';
const T = 'a'.repeat(32);

function span(id: string, parent: string | null, fields: Partial<StoredSpan> = {}): StoredSpan {
  return {
    projectId: P,
    traceId: T,
    spanId: id.padStart(16, '0'),
    parentSpanId: parent === null ? null : parent.padStart(16, '0'),
    name: id,
    kind: 1,
    serviceName: 's',
    startMs: 0,
    durationMs: 1,
    category: 'other',
    status: 'ok',
    statusMessage: null,
    tenantId: null,
    sessionId: null,
    userId: null,
    surface: null,
    deployment: null,
    environment: null,
    model: null,
    provider: null,
    operation: null,
    promptName: null,
    promptVersion: null,
    ttftMs: null,
    cacheHit: null,
    wrapper: false,
    attributes: {},
    events: [],
    ...NO_USAGE,
    ...fields,
  };
}

const nothingStored: StoredLookup = async () => new Map();

describe('resolveBatchContext', () => {
  it('takes each field from the nearest ancestor that has it', async () => {
    const spans = [
      span('4', '3'),
      span('3', '2', { sessionId: 'inner' }),
      span('2', '1'),
      span('1', null, { tenantId: 'acme', sessionId: 'outer', userId: 'u', surface: '/x' }),
    ];
    const result = await resolveBatchContext(P, spans, new RecentSpans(), nothingStored);
    expect(result.orphans).toEqual([]);
    expect(spans.map((s) => [s.tenantId, s.sessionId])).toEqual([
      ['acme', 'inner'],
      ['acme', 'inner'],
      ['acme', 'outer'],
      ['acme', 'outer'],
    ]);
  });

  it('asks storage only for parents that neither the batch nor memory knows, in one call', async () => {
    const recent = new RecentSpans();
    recent.remember(P, T, '000000000000000a', {
      parentSpanId: null,
      context: { tenantId: 'mem', sessionId: null, userId: null, surface: null },
      category: 'http',
    });
    const calls: unknown[] = [];
    const lookup: StoredLookup = async (request) => {
      calls.push(request);
      return new Map([
        [
          T + '000000000000000b',
          {
            parentSpanId: null,
            context: { tenantId: 'db', sessionId: null, userId: null, surface: null },
            category: 'http' as const,
          },
        ],
      ]);
    };
    const spans = [span('1', 'a'), span('2', 'b'), span('3', 'c')];
    const result = await resolveBatchContext(P, spans, recent, lookup);
    expect(calls).toHaveLength(1);
    expect((calls[0] as { spanIds: string[] }).spanIds.sort()).toEqual(['000000000000000b', '000000000000000c']);
    expect(spans.map((s) => s.tenantId)).toEqual(['mem', 'db', null]);
    expect(result.orphans.map((s) => s.name)).toEqual(['3']);
  });

  it('survives parent cycles and very deep traces', async () => {
    const cycle = [span('1', '2'), span('2', '1')];
    await expect(resolveBatchContext(P, cycle, new RecentSpans(), nothingStored)).resolves.toBeDefined();
    const deep = Array.from({ length: 50_000 }, (_, i) =>
      span(String(i + 1), i === 0 ? null : String(i), i === 0 ? { tenantId: 'root' } : {}),
    );
    await resolveBatchContext(P, deep.slice().reverse(), new RecentSpans(), nothingStored);
    expect(deep.at(-1)!.tenantId).toBe('root');
  });

  it('marks model spans with a model child as wrappers and clears their usage', async () => {
    const usage = { inputTokens: 100, outputTokens: 10, costUsd: 0.01, costSource: 'catalog' as const };
    const spans = [span('1', null, { category: 'model', ...usage }), span('2', '1', { category: 'model', ...usage })];
    await resolveBatchContext(P, spans, new RecentSpans(), nothingStored);
    expect(spans[0]).toMatchObject({ wrapper: true, category: 'other', inputTokens: null, costUsd: null });
    expect(spans[1]).toMatchObject({ wrapper: false, category: 'model', inputTokens: 100 });
  });

  it('makes a model span a wrapper when a model call stored earlier was waiting for it', async () => {
    const parent = span('1', null, { category: 'model', inputTokens: 5 });
    await resolveBatchContext(P, [parent], new RecentSpans(), nothingStored, [
      { traceId: T, parentSpanId: parent.spanId, spanId: '0000000000000002', isModelCall: true },
    ]);
    expect(parent).toMatchObject({ wrapper: true, inputTokens: null });
    const other = span('3', null, { category: 'model', inputTokens: 5 });
    await resolveBatchContext(P, [other], new RecentSpans(), nothingStored, [
      { traceId: T, parentSpanId: other.spanId, spanId: '0000000000000004', isModelCall: false },
    ]);
    expect(other).toMatchObject({ wrapper: false, inputTokens: 5 });
  });

  it('reports a stored model parent of a new model call as a wrapper to demote', async () => {
    const lookup: StoredLookup = async () =>
      new Map([
        [
          T + '0000000000000009',
          {
            parentSpanId: null,
            context: { tenantId: null, sessionId: null, userId: null, surface: null },
            category: 'model' as const,
          },
        ],
      ]);
    const result = await resolveBatchContext(P, [span('2', '9', { category: 'model' })], new RecentSpans(), lookup);
    expect(result.storedWrappers).toEqual([{ traceId: T, spanId: '0000000000000009' }]);
  });
});
