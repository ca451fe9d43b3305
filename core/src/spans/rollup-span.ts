import type { StoredSpan } from './stored-span.ts';

/** The fields of a stored span that rollups and sessions count. */
export const ROLLUP_SPAN_FIELDS = [
  'projectId',
  'tenantId',
  'traceId',
  'spanId',
  'parentSpanId',
  'startMs',
  'serviceName',
  'category',
  'surface',
  'model',
  'provider',
  'deployment',
  'status',
  'durationMs',
  'ttftMs',
  'cacheHit',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'costUsd',
  'sessionId',
  'userId',
] as const satisfies readonly (keyof StoredSpan)[];

export type RollupSpan = Pick<StoredSpan, (typeof ROLLUP_SPAN_FIELDS)[number]>;
