// Group commit: requests queue up while a batch is being written; the next batch takes everything
// queued (up to a limit) into one transaction. A request's promise settles only once its spans are
// committed, so the HTTP layer acknowledges nothing that could still be lost.

import type pg from 'pg';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import { DatabaseUnavailableError, QueueFullError, isTransientDatabaseError } from './errors.ts';
import { RecentSpans } from './recent-spans.ts';
import { contextOf, resolveBatchContext } from './resolve-context.ts';
import { AI_CALL_COLUMNS, SPAN_COLUMNS, aiCallRow, isCountedModelCall, spanRow } from './rows.ts';
import {
  applyLateContext,
  demoteStoredWrappers,
  lookupStoredSpans,
  recordAwaitingParents,
  takeAwaitingChildren,
  type ContextSeed,
  type FixedSpan,
} from './stored-lookup.ts';
import type { StoredSpan } from './stored-span.ts';

export interface WriteOutcome {
  /** Spans newly stored. */
  stored: number;
  /** Spans already stored before (a retried export): accepted, not stored twice. */
  duplicates: number;
}

export interface WriterOptions {
  maxQueueSpans: number;
  maxBatchSpans: number;
  /** How long to answer "unavailable" after a database failure before trying again. */
  unavailableBackoffMs?: number;
  recentSpans?: number;
}

export interface WriterEvents {
  onBatch?(info: { spans: number; stored: number; durationMs: number }): void;
  onUnpricedModel?(count: number): void;
}

interface PendingWrite {
  spans: StoredSpan[];
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

const DAY_MS = 86_400_000;
// Spans within this window get their own daily partition; older or later ones land in the default
// partition (kept, never lost) so clock skew cannot make us create partitions forever.
const PARTITION_PAST_DAYS = 7;
const PARTITION_FUTURE_DAYS = 2;

export class SpanWriter {
  private readonly queue: PendingWrite[] = [];
  private queued = 0;
  private writing = false;
  private unavailableUntil = 0;
  private readonly knownPartitionDays = new Set<number>();
  private readonly recent: RecentSpans;
  private readonly pool: pg.Pool;
  private readonly options: WriterOptions;
  private readonly events: WriterEvents;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};

  constructor(pool: pg.Pool, options: WriterOptions, events: WriterEvents = {}) {
    this.pool = pool;
    this.options = options;
    this.events = events;
    this.recent = new RecentSpans(options.recentSpans);
  }

  /** Spans accepted into the queue and not yet committed. */
  get queuedSpans(): number {
    return this.queued;
  }

  get databaseAvailable(): boolean {
    return Date.now() >= this.unavailableUntil;
  }

  write(spans: StoredSpan[]): Promise<WriteOutcome> {
    if (spans.length === 0) return Promise.resolve({ stored: 0, duplicates: 0 });
    if (!this.databaseAvailable) return Promise.reject(new DatabaseUnavailableError('database unavailable, retry later'));
    if (this.queued + spans.length > this.options.maxQueueSpans && this.queued > 0) {
      return Promise.reject(new QueueFullError(`ingest queue full (${this.queued} spans waiting), retry later`));
    }
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.queue.push({ spans, resolve, reject });
      this.queued += spans.length;
      void this.pump();
    });
  }

  /** Resolves once everything queued so far has been written (or failed). */
  async drain(): Promise<void> {
    while (this.writing || this.queue.length > 0) await this.idle;
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        const count = batch.reduce((n, w) => n + w.spans.length, 0);
        const started = performance.now();
        try {
          const outcomes = await this.writeBatch(batch);
          batch.forEach((w, i) => w.resolve(outcomes[i]!));
          const stored = outcomes.reduce((n, o) => n + o.stored, 0);
          this.events.onBatch?.({ spans: count, stored, durationMs: performance.now() - started });
        } catch (error) {
          if (isTransientDatabaseError(error)) {
            this.unavailableUntil = Date.now() + (this.options.unavailableBackoffMs ?? 1000);
            const unavailable = new DatabaseUnavailableError(`database unavailable: ${(error as Error).message}`);
            for (const w of batch) w.reject(unavailable);
            // Everything still queued would fail the same way; the exporters will retry it.
            for (const w of this.queue.splice(0)) w.reject(unavailable);
            this.queued = 0;
          } else {
            for (const w of batch) w.reject(error);
          }
        } finally {
          this.queued -= count;
          if (this.queued < 0) this.queued = 0;
        }
      }
    } finally {
      this.writing = false;
      this.markIdle();
    }
  }

  private takeBatch(): PendingWrite[] {
    const batch: PendingWrite[] = [];
    let count = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && count + next.spans.length > this.options.maxBatchSpans) break;
      batch.push(this.queue.shift()!);
      count += next.spans.length;
    }
    return batch;
  }

  private async ensurePartitions(client: pg.ClientBase, spans: StoredSpan[]): Promise<void> {
    const today = Math.floor(Date.now() / DAY_MS);
    const missing = new Set<number>();
    for (const span of spans) {
      const day = Math.floor(span.startMs / DAY_MS);
      if (day >= today - PARTITION_PAST_DAYS && day <= today + PARTITION_FUTURE_DAYS && !this.knownPartitionDays.has(day)) missing.add(day);
    }
    for (const day of missing) {
      await client.query('select vigil_ensure_spans_partition($1::date)', [new Date(day * DAY_MS).toISOString().slice(0, 10)]);
      this.knownPartitionDays.add(day);
    }
  }

  private async writeBatch(batch: PendingWrite[]): Promise<WriteOutcome[]> {
    const client = await this.pool.connect();
    // A connection lost mid-transaction also emits 'error' on the client; the failed query
    // already reports it, so the event must not become an uncaught exception.
    client.on('error', ignoreClientError);
    let broken = false;
    try {
      const all = batch.flatMap((w) => w.spans);
      await this.ensurePartitions(client, all);
      await client.query('begin');
      try {
        // A retry can sit in the same batch as the original: keep the first of each span.
        const unique = new Map<string, StoredSpan>();
        for (const span of all) {
          const key = span.projectId + span.traceId + span.spanId;
          if (!unique.has(key)) unique.set(key, span);
        }
        const byProject = groupByProject([...unique.values()]);
        const orphansByProject = new Map<string, StoredSpan[]>();
        const wrappersByProject = new Map<string, { traceId: string; spanId: string }[]>();
        for (const [projectId, spans] of byProject) {
          const resolved = await resolveBatchContext(projectId, spans, this.recent, (request) => lookupStoredSpans(client, projectId, request));
          orphansByProject.set(projectId, resolved.orphans);
          wrappersByProject.set(projectId, resolved.storedWrappers);
        }

        const stored = await this.storeSpans(client, [...unique.values()]);
        await copyRows(client, 'ai_api_calls', AI_CALL_COLUMNS, stored.filter(isCountedModelCall).map(aiCallRow));

        const fixed: { projectId: string; spans: FixedSpan[] }[] = [];
        for (const [projectId, spans] of byProject) {
          const storedHere = new Set(stored.filter((s) => s.projectId === projectId));
          const orphans = orphansByProject.get(projectId)!.filter((s) => storedHere.has(s));
          await recordAwaitingParents(client, projectId, orphans.map((s) => ({ traceId: s.traceId, parentSpanId: s.parentSpanId!, spanId: s.spanId })));
          await demoteStoredWrappers(client, projectId, wrappersByProject.get(projectId)!);
          const children = await takeAwaitingChildren(client, projectId, spans);
          const parentByKey = new Map(spans.map((s) => [s.traceId + s.spanId, s]));
          const seeds: ContextSeed[] = [];
          for (const child of children) {
            const parent = parentByKey.get(child.traceId + child.parentSpanId);
            if (!parent) continue;
            const context = contextOf(parent);
            if (context.tenantId || context.sessionId || context.userId || context.surface) {
              seeds.push({ traceId: child.traceId, spanId: child.spanId, context });
            }
          }
          fixed.push({ projectId, spans: await applyLateContext(client, projectId, seeds) });
        }
        await recordUnpricedModels(client, stored, this.events);
        await client.query('commit');

        for (const span of stored) {
          this.recent.remember(span.projectId, span.traceId, span.spanId, {
            parentSpanId: span.parentSpanId,
            context: contextOf(span),
            category: span.category,
          });
        }
        for (const [projectId, wrappers] of wrappersByProject) for (const w of wrappers) this.recent.demote(projectId, w.traceId, w.spanId);
        for (const { projectId, spans } of fixed) for (const f of spans) this.recent.updateContext(projectId, f.traceId, f.spanId, f.context);

        const storedSet = new Set(stored);
        return batch.map((w) => {
          const n = w.spans.filter((s) => storedSet.has(s)).length;
          return { stored: n, duplicates: w.spans.length - n };
        });
      } catch (error) {
        await client.query('rollback').catch(() => {
          broken = true;
        });
        throw error;
      }
    } catch (error) {
      if (isTransientDatabaseError(error)) broken = true;
      throw error;
    } finally {
      client.off('error', ignoreClientError);
      client.release(broken);
    }
  }

  /**
   * The fast path is a plain COPY. A span stored before (a retried export) makes it fail on the
   * primary key; then the batch goes through a staging table with ON CONFLICT DO NOTHING, and only
   * the spans actually inserted count as stored.
   */
  private async storeSpans(client: pg.ClientBase, spans: StoredSpan[]): Promise<StoredSpan[]> {
    const rows = spans.map(spanRow);
    await client.query('savepoint vigil_copy_spans');
    try {
      await copyRows(client, 'spans', SPAN_COLUMNS, rows);
      await client.query('release savepoint vigil_copy_spans');
      return spans;
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      await client.query('rollback to savepoint vigil_copy_spans');
    }
    await client.query('create temp table if not exists vigil_spans_stage (like spans including defaults) on commit delete rows');
    await copyRows(client, 'vigil_spans_stage', SPAN_COLUMNS, rows);
    const columns = SPAN_COLUMNS.join(', ');
    const { rows: inserted } = await client.query<{ k: string }>(
      `insert into spans (${columns}) select ${columns} from vigil_spans_stage on conflict do nothing
       returning project_id::text || trace_id || span_id as k`,
    );
    const insertedKeys = new Set(inserted.map((r) => r.k));
    return spans.filter((s) => insertedKeys.has(s.projectId + s.traceId + s.spanId));
  }
}

function ignoreClientError(): void {}

function groupByProject(spans: StoredSpan[]): Map<string, StoredSpan[]> {
  const groups = new Map<string, StoredSpan[]>();
  for (const span of spans) {
    let group = groups.get(span.projectId);
    if (!group) groups.set(span.projectId, (group = []));
    group.push(span);
  }
  return groups;
}

const COPY_CHUNK_ROWS = 2000;

async function copyRows(client: pg.ClientBase, table: string, columns: readonly string[], rows: string[]): Promise<void> {
  if (rows.length === 0) return;
  const stream = client.query(copyStreams.from(`copy ${table} (${columns.join(', ')}) from stdin`));
  function* chunks(): Generator<string> {
    for (let i = 0; i < rows.length; i += COPY_CHUNK_ROWS) yield rows.slice(i, i + COPY_CHUNK_ROWS).join('');
  }
  await pipeline(Readable.from(chunks()), stream);
}

async function recordUnpricedModels(client: pg.ClientBase, spans: StoredSpan[], events: WriterEvents): Promise<void> {
  const counts = new Map<string, { projectId: string; provider: string; model: string; n: number }>();
  for (const span of spans) {
    if (!isCountedModelCall(span) || !span.model || span.costSource !== null) continue;
    const key = `${span.projectId}\u0000${span.provider ?? ''}\u0000${span.model}`;
    const entry = counts.get(key);
    if (entry) entry.n++;
    else counts.set(key, { projectId: span.projectId, provider: span.provider ?? '', model: span.model, n: 1 });
  }
  if (counts.size === 0) return;
  const entries = [...counts.values()];
  events.onUnpricedModel?.(entries.reduce((n, e) => n + e.n, 0));
  await client.query(
    `insert into unpriced_models (project_id, provider, model, span_count)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[])
     on conflict (project_id, provider, model)
     do update set span_count = unpriced_models.span_count + excluded.span_count, last_seen = now()`,
    [entries.map((e) => e.projectId), entries.map((e) => e.provider), entries.map((e) => e.model), entries.map((e) => e.n)],
  );
}
