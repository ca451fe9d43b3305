// Cost per session: one aggregate per (project, tenant, session), built like the rollups: the
// collector writes pending deltas, the compactor folds them into one row per session.

import { HistogramBuilder } from '../histogram/log-histogram.ts';
import { copyBytea, copyText, copyTimestamp } from '../db/copy-text.ts';
import { CopyBuffer } from '../db/copy-buffer.ts';
import { NO_TENANT, type RollupSpan } from '../spans/index.ts';
import { USAGE_COLUMNS, UsageTotals, type UsageColumns } from './usage-totals.ts';

export interface StoredSessionRow extends UsageColumns {
  project_id: string;
  tenant_id: string;
  session_id: string;
  user_id: string | null;
  first_seen: Date | null;
  last_seen: Date | null;
  span_count: number;
  error_count: number;
  model_latency_hist: Uint8Array | null;
}

/** What a session row adds up (the rest of its columns are its key and extent). */
export const SESSION_METRIC_COLUMNS = ['span_count', 'error_count', ...USAGE_COLUMNS, 'model_latency_hist'] as const;

export const SESSION_COLUMNS = [
  'project_id',
  'tenant_id',
  'session_id',
  'pending',
  'user_id',
  'first_seen',
  'last_seen',
  ...SESSION_METRIC_COLUMNS,
] as const;

export class SessionAggregate {
  userId: string | null = null;
  firstSeenMs = Number.POSITIVE_INFINITY;
  lastSeenMs = Number.NEGATIVE_INFINITY;
  spanCount = 0;
  errorCount = 0;
  readonly usage = new UsageTotals();
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
      this.lastSeenMs = Math.max(this.lastSeenMs, span.startMs + (span.durationMs ?? 0));
    }
    this.spanCount += sign;
    if (span.status === 'error') this.errorCount += sign;
    this.usage.addSpan(span, sign);
    if (span.category === 'model' && span.durationMs !== null) this.modelLatency.add(span.durationMs, sign);
  }

  merge(row: StoredSessionRow): void {
    this.userId ??= row.user_id;
    if (row.first_seen) this.firstSeenMs = Math.min(this.firstSeenMs, row.first_seen.getTime());
    if (row.last_seen) this.lastSeenMs = Math.max(this.lastSeenMs, row.last_seen.getTime());
    this.spanCount += row.span_count;
    this.errorCount += row.error_count;
    this.usage.addRow(row);
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
    this.get(span.projectId, span.tenantId ?? NO_TENANT, span.sessionId).addSpan(span, sign);
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
        s.projectId +
          '\t' +
          copyText(s.tenantId) +
          '\t' +
          copyText(s.sessionId) +
          '\t' +
          (pending ? 't' : 'f') +
          '\t' +
          copyText(s.userId) +
          '\t' +
          copyTimestamp(s.firstSeenMs) +
          '\t' +
          copyTimestamp(s.lastSeenMs) +
          '\t' +
          s.spanCount +
          '\t' +
          s.errorCount +
          '\t' +
          s.usage.toCopy() +
          '\t' +
          copyBytea(s.modelLatency.encode()) +
          '\n',
      );
    }
    return data;
  }
}
