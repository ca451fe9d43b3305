// Group commit in lanes. Spans are split by trace id into a few lanes; each lane commits its queue
// serially, a batch per transaction, taking everything queued so far (up to a limit). Lanes run in
// parallel, so Postgres works on one batch while the collector prepares the next; a trace always
// lands in the same lane, so trace-level work (inheritance, wrappers, late parents) never races.
// A request's promise settles only once all its spans are committed.

import type pg from 'pg';
import { DatabaseUnavailableError, QueueFullError, isTransientDatabaseError } from './errors.ts';
import { RecentSpans } from '../trace/recent-spans.ts';
import { writeBatch } from './write-batch.ts';
import type { StoredSpan } from '@vigil/core';

export interface WriteOutcome {
  /** Spans newly stored. */
  stored: number;
  /** Spans already stored before (a retried export): accepted, not stored twice. */
  duplicates: number;
}

export interface WriterOptions {
  maxQueueSpans: number;
  maxBatchSpans: number;
  /** Parallel transactions; each trace always goes to the same lane. */
  lanes?: number;
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

class Lane {
  readonly queue: PendingWrite[] = [];
  queued = 0;
  writing: Promise<void> | null = null;
}

export class SpanWriter {
  private readonly lanes: Lane[];
  private unavailableUntil = 0;
  private readonly knownPartitionDays = new Set<string>();
  private readonly recent: RecentSpans;
  private readonly pool: pg.Pool;
  private readonly options: WriterOptions;
  private readonly events: WriterEvents;

  constructor(pool: pg.Pool, options: WriterOptions, events: WriterEvents = {}) {
    this.pool = pool;
    this.options = options;
    this.events = events;
    this.recent = new RecentSpans(options.recentSpans);
    this.lanes = Array.from({ length: Math.max(1, options.lanes ?? 2) }, () => new Lane());
  }

  /** Spans accepted into the queues and not yet committed. */
  get queuedSpans(): number {
    return this.lanes.reduce((n, lane) => n + lane.queued, 0);
  }

  get databaseAvailable(): boolean {
    return Date.now() >= this.unavailableUntil;
  }

  async write(spans: StoredSpan[]): Promise<WriteOutcome> {
    if (spans.length === 0) return { stored: 0, duplicates: 0 };
    if (!this.databaseAvailable) throw new DatabaseUnavailableError('database unavailable, retry later');
    const queued = this.queuedSpans;
    if (queued > 0 && queued + spans.length > this.options.maxQueueSpans) {
      throw new QueueFullError(`ingest queue full (${queued} spans waiting), retry later`);
    }
    const parts = this.splitByLane(spans);
    const outcomes = await Promise.allSettled(
      parts.map((part, i) =>
        part.length === 0
          ? Promise.resolve({ stored: 0, duplicates: 0 })
          : new Promise<WriteOutcome>((resolve, reject) => {
              const lane = this.lanes[i]!;
              lane.queue.push({ spans: part, resolve, reject });
              lane.queued += part.length;
              this.pump(lane);
            }),
      ),
    );
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return outcomes.reduce(
      (sum, o) => {
        const value = (o as PromiseFulfilledResult<WriteOutcome>).value;
        return { stored: sum.stored + value.stored, duplicates: sum.duplicates + value.duplicates };
      },
      { stored: 0, duplicates: 0 },
    );
  }

  /** Resolves once everything queued so far has been written (or failed). */
  async drain(): Promise<void> {
    while (this.lanes.some((lane) => lane.writing)) {
      await Promise.all(this.lanes.map((lane) => lane.writing));
    }
  }

  private splitByLane(spans: StoredSpan[]): StoredSpan[][] {
    const parts: StoredSpan[][] = this.lanes.map(() => []);
    if (parts.length === 1) return [spans];
    for (const span of spans) {
      // Trace ids are random hex: their last digits spread traces evenly.
      parts[parseInt(span.traceId.slice(-4), 16) % parts.length]!.push(span);
    }
    return parts;
  }

  private pump(lane: Lane): void {
    if (lane.writing) return;
    lane.writing = this.drainLane(lane).finally(() => {
      lane.writing = null;
      if (lane.queue.length > 0) this.pump(lane);
    });
  }

  private async drainLane(lane: Lane): Promise<void> {
    while (lane.queue.length > 0) {
      const batch = takeBatch(lane.queue, this.options.maxBatchSpans);
      const count = batch.reduce((n, w) => n + w.spans.length, 0);
      const started = performance.now();
      try {
        const outcomes = await writeBatch(
          this.pool,
          batch.map((w) => w.spans),
          {
            recent: this.recent,
            knownPartitionDays: this.knownPartitionDays,
            onUnpricedModel: this.events.onUnpricedModel,
          },
        );
        batch.forEach((w, i) => {
          w.resolve(outcomes[i]!);
        });
        const stored = outcomes.reduce((n, o) => n + o.stored, 0);
        this.events.onBatch?.({ spans: count, stored, durationMs: performance.now() - started });
      } catch (error) {
        if (isTransientDatabaseError(error)) {
          this.unavailableUntil = Date.now() + (this.options.unavailableBackoffMs ?? 1000);
          const unavailable = new DatabaseUnavailableError(`database unavailable: ${(error as Error).message}`);
          for (const w of batch) w.reject(unavailable);
          // Everything still queued in this lane would fail the same way; exporters retry it.
          const rest = lane.queue.splice(0);
          for (const w of rest) w.reject(unavailable);
          lane.queued -= rest.reduce((n, w) => n + w.spans.length, 0);
        } else {
          for (const w of batch) w.reject(error);
        }
      } finally {
        lane.queued -= count;
      }
    }
  }
}

function takeBatch(queue: PendingWrite[], maxSpans: number): PendingWrite[] {
  const batch: PendingWrite[] = [];
  let count = 0;
  while (queue.length > 0) {
    const next = queue[0]!;
    if (batch.length > 0 && count + next.spans.length > maxSpans) break;
    batch.push(queue.shift()!);
    count += next.spans.length;
  }
  return batch;
}
