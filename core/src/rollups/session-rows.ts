// Cost per session: one aggregate per (project, tenant, session), built like the rollups: the
// collector writes pending deltas, the compactor folds them into one row per session.

import { HistogramBuilder } from '../histogram/log-histogram.ts';
import { copyBytea, copyNumber, copyText, copyTimestamp } from '../db/copy-text.ts';
import { CopyBuffer } from '../db/copy-buffer.ts';
import { UNKNOWN_TENANT, type RollupSpan } from './rollup-rows.ts';

export interface StoredSessionRow {
  project_id: string;
  tenant_id: string;
  session_id: string;
  user_id: string | null;
  first_seen: Date | null;
  last_seen: Date | null;
  span_count: number;
  error_count: number;
  model_calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  model_latency_hist: Uint8Array | null;
}

export const SESSION_COLUMNS = [
  'project_id', 'tenant_id', 'session_id', 'pending', 'user_id', 'first_seen', 'last_seen', 'span_count', 'error_count',
  'model_calls', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd',
  'model_latency_hist',
] as const;

export class SessionAggregate {
  userId: string | null = null;
  firstSeenMs = Number.POSITIVE_INFINITY;
  lastSeenMs = Number.NEGATIVE_INFINITY;
  spanCount = 0;
  errorCount = 0;
  modelCalls = 0;
  inputTokens = 0;
  outputTokens = 0;
  cacheReadTokens = 0;
  cacheWriteTokens = 0;
  reasoningTokens = 0;
  costUsd = 0;
  readonly modelLatency = new HistogramBuilder();

  readonly projectId: string;
  readonly tenantId: string;
  readonly sessionId: string;

  constructor(projectId: string, tenantId: string, sessionId: string) {
    this.projectId = projectId;
    this.tenantId = tenantId;
    this.sessionId = sessionId;
  }

  addSpan(span: RollupSpan, sign: 1 | -1): void {
    // First and last seen only grow: a removed span (moved to another tenant) leaves them as they were.
    if (sign > 0) {
      this.userId ??= span.userId;
      this.firstSeenMs = Math.min(this.firstSeenMs, span.startMs);
      this.lastSeenMs = Math.max(this.lastSeenMs, span.startMs + span.durationMs);
    }
    this.spanCount += sign;
    if (span.status === 'error') this.errorCount += sign;
    if (span.category !== 'model') return;
    this.modelCalls += sign;
    this.inputTokens += sign * (span.inputTokens ?? 0);
    this.outputTokens += sign * (span.outputTokens ?? 0);
    this.cacheReadTokens += sign * (span.cacheReadTokens ?? 0);
    this.cacheWriteTokens += sign * (span.cacheWriteTokens ?? 0);
    this.reasoningTokens += sign * (span.reasoningTokens ?? 0);
    this.costUsd += sign * (span.costUsd ?? 0);
    this.modelLatency.add(span.durationMs, sign);
  }

  merge(row: StoredSessionRow): void {
    this.userId ??= row.user_id;
    if (row.first_seen) this.firstSeenMs = Math.min(this.firstSeenMs, row.first_seen.getTime());
    if (row.last_seen) this.lastSeenMs = Math.max(this.lastSeenMs, row.last_seen.getTime());
    this.spanCount += row.span_count;
    this.errorCount += row.error_count;
    this.modelCalls += row.model_calls;
    this.inputTokens += row.input_tokens;
    this.outputTokens += row.output_tokens;
    this.cacheReadTokens += row.cache_read_tokens;
    this.cacheWriteTokens += row.cache_write_tokens;
    this.reasoningTokens += row.reasoning_tokens;
    this.costUsd += row.cost_usd;
    this.modelLatency.mergeEncoded(row.model_latency_hist);
  }
}

export class SessionMap {
  readonly rows = new Map<string, SessionAggregate>();

  get(projectId: string, tenantId: string, sessionId: string): SessionAggregate {
    const k = `${projectId}\u0001${tenantId}\u0001${sessionId}`;
    let row = this.rows.get(k);
    if (!row) this.rows.set(k, (row = new SessionAggregate(projectId, tenantId, sessionId)));
    return row;
  }

  /** Spans without a session are not part of any. */
  addSpan(span: RollupSpan, sign: 1 | -1): void {
    if (!span.sessionId) return;
    this.get(span.projectId, span.tenantId ?? UNKNOWN_TENANT, span.sessionId).addSpan(span, sign);
  }

  addRow(row: StoredSessionRow): void {
    this.get(row.project_id, row.tenant_id, row.session_id).merge(row);
  }

  get size(): number {
    return this.rows.size;
  }

  toCopy(pending: boolean, options: { dropEmpty?: boolean } = {}): CopyBuffer {
    const data = new CopyBuffer();
    for (const s of this.rows.values()) {
      if (options.dropEmpty && s.spanCount <= 0) continue;
      data.push(
        s.projectId + '\t' + copyText(s.tenantId) + '\t' + copyText(s.sessionId) + '\t' + (pending ? 't' : 'f') + '\t' +
        copyText(s.userId) + '\t' + copyTimestamp(s.firstSeenMs) + '\t' + copyTimestamp(s.lastSeenMs) + '\t' + s.spanCount + '\t' +
        s.errorCount + '\t' + s.modelCalls + '\t' + s.inputTokens + '\t' + s.outputTokens + '\t' + s.cacheReadTokens + '\t' +
        s.cacheWriteTokens + '\t' + s.reasoningTokens + '\t' + copyNumber(s.costUsd) + '\t' + copyBytea(s.modelLatency.encode()) + '\n',
      );
    }
    return data;
  }
}
