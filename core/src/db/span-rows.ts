// The rows the collector writes, as COPY text. Column lists and encoders stay side by side so they
// cannot drift apart.

import { copyJson, copyNumber, copyText, copyTimestamp } from './copy-text.ts';
import type { RollupSpan } from '../rollups/rollup-rows.ts';

const UNKNOWN_TENANT = 'unknown';

/** A span as stored: what the collector produces after normalising, inheriting and pricing. */
export interface SpanRecord extends RollupSpan {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  statusMessage: string | null;
  environment: string | null;
  operation: string | null;
  costSource: string | null;
  attributes: Record<string, unknown>;
  events: unknown[];
  /** An outer span repeating its inner call's usage: never counted as a model call. */
  wrapper?: boolean;
}

type StoredSpan = SpanRecord;

export const SPAN_COLUMNS = [
  'project_id',
  'tenant_id',
  'trace_id',
  'span_id',
  'parent_span_id',
  'name',
  'service_name',
  'kind',
  'start_time',
  'duration_ms',
  'category',
  'status',
  'status_message',
  'session_id',
  'user_id',
  'surface',
  'deployment',
  'environment',
  'model',
  'provider',
  'operation',
  'ttft_ms',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
  'cost_source',
  'attributes',
  'events',
] as const;

export function spanRow(span: StoredSpan): string {
  return (
    span.projectId +
    '\t' +
    copyText(span.tenantId ?? UNKNOWN_TENANT) +
    '\t' +
    span.traceId +
    '\t' +
    span.spanId +
    '\t' +
    (span.parentSpanId ?? '\\N') +
    '\t' +
    copyText(span.name) +
    '\t' +
    copyText(span.serviceName) +
    '\t' +
    span.kind +
    '\t' +
    copyTimestamp(span.startMs) +
    '\t' +
    copyNumber(span.durationMs) +
    '\t' +
    span.category +
    '\t' +
    span.status +
    '\t' +
    copyText(span.statusMessage) +
    '\t' +
    copyText(span.sessionId) +
    '\t' +
    copyText(span.userId) +
    '\t' +
    copyText(span.surface) +
    '\t' +
    copyText(span.deployment) +
    '\t' +
    copyText(span.environment) +
    '\t' +
    copyText(span.model) +
    '\t' +
    copyText(span.provider) +
    '\t' +
    copyText(span.operation) +
    '\t' +
    copyNumber(span.ttftMs) +
    '\t' +
    copyNumber(span.inputTokens) +
    '\t' +
    copyNumber(span.outputTokens) +
    '\t' +
    copyNumber(span.cacheReadTokens) +
    '\t' +
    copyNumber(span.cacheWriteTokens) +
    '\t' +
    copyNumber(span.reasoningTokens) +
    '\t' +
    copyNumber(span.costUsd) +
    '\t' +
    copyText(span.costSource) +
    '\t' +
    copyJson(span.attributes) +
    '\t' +
    (span.events.length > 0 ? copyJson(span.events) : '\\N') +
    '\n'
  );
}

export const AI_CALL_COLUMNS = [
  'project_id',
  'tenant_id',
  'user_id',
  'session_id',
  'provider',
  'model',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'latency_ms',
  'ttft_ms',
  'estimated_cost',
  'status',
  'deployment',
  'trace_id',
  'span_id',
  'created_at',
] as const;

export function aiCallRow(span: StoredSpan): string {
  return (
    span.projectId +
    '\t' +
    copyText(span.tenantId ?? UNKNOWN_TENANT) +
    '\t' +
    copyText(span.userId) +
    '\t' +
    copyText(span.sessionId) +
    '\t' +
    copyText(span.provider) +
    '\t' +
    copyText(span.model) +
    '\t' +
    copyNumber(span.inputTokens) +
    '\t' +
    copyNumber(span.outputTokens) +
    '\t' +
    copyNumber(span.cacheReadTokens) +
    '\t' +
    copyNumber(span.cacheWriteTokens) +
    '\t' +
    copyNumber(span.reasoningTokens) +
    '\t' +
    copyNumber(span.durationMs) +
    '\t' +
    copyNumber(span.ttftMs) +
    '\t' +
    copyNumber(span.costUsd) +
    '\t' +
    span.status +
    '\t' +
    copyText(span.deployment) +
    '\t' +
    span.traceId +
    '\t' +
    span.spanId +
    '\t' +
    copyTimestamp(span.startMs) +
    '\n'
  );
}

/** A model-call span counts as one row in ai_api_calls; wrappers and other categories do not. */
export function isCountedModelCall(span: StoredSpan): boolean {
  return span.category === 'model' && !span.wrapper;
}
