// Group commit in lanes. Spans are split by trace id into a few lanes; each lane commits its queue
// serially, a batch per transaction, taking everything queued so far (up to a limit). Lanes run in
// parallel, so Postgres works on one batch while the collector prepares the next; a trace always
// lands in the same lane, so trace-level work (inheritance, wrappers, late parents) never races.
// A request's promise settles only once all its spans are committed.
//
// Under load a lane lingers: when spans queued while it committed are fewer than a full batch, it
// waits a little for more before the next commit (the first batch after it was idle goes at once,
// so light traffic pays no wait). Bigger batches cost less per span on both sides, and fewer
// concurrent COPYs contend less for the same index pages. bench:ingest on 2 cores, alternating runs:
// 3 lanes 31.0k spans/s and 51.5-51.9 CPU-seconds per million spans (collector and Postgres), 2
// lanes 31.8-32.0k and 47.5-47.7, 2 lanes lingering up to 20 ms for 2,000 spans 32.5-33.5k and
// 42.6-43.5.
//
// A batch mixes requests from any project, so a batch that fails for any reason but an outage is
// written again request by request: every other request commits, and only the one at fault is
// refused (SpansRefusedError, or a partial success when its spans in another lane were stored).

import type pg from 'pg';
import {
  DatabaseUnavailableError,
  isDataError,
  isTransientDatabaseError,
  QueueFullError,
  SpansRefusedError,
} from './errors.ts';
import { RecentSpans } from '../trace/recent-spans.ts';
import { writeBatch } from './write-batch.ts';
import { SpanDimensionCodes, type StoredSpan } from '@vigil/core';

export interface WriteOutcome {
  /** Spans newly stored. */
  stored: number;
  /** Spans already stored before (a retried export): accepted, not stored twice. */
  duplicates: number;
  /** Spans the database refused (their lane's part of the request), with the reason; 0 and null if none. */
  refused: number;
  refusedReason: string | null;
}

/** A lingering lane looks at its queue this often. */
const LINGER_STEP_MS = 2;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const NOTHING_WRITTEN: WriteOutcome = { stored: 0, duplicates: 0, refused: 0, refusedReason: null };

export interface WriterOptions {
  maxQueueSpans: number;
  maxBatchSpans: number;
  /** Parallel transactions; each trace always goes to the same lane. */
  lanes?: number;
  /** Under load, how long a lane waits for a fuller batch (ms; 0: never), and what counts as full. */
  lingerMs?: number;
  lingerSpans?: number;
  /** The wait itself; tests replace it to decide when it ends. */
  wait?: (ms: number) => Promise<void>;
  /** How long to answer "unavailable" after a database failure before trying again. */
  unavailableBackoffMs?: number;
  recentSpans?: number;
}

export interface WriterEvents {
  onBatch?(info: { spans: number; stored: number; durationMs: number }): void;
  onUnpricedModel?(count: number): void;
  /** The label of the catalog a project's spans were priced with (recorded in pricing_days). */
  catalogLabel?(projectId: string): string;
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
  private readonly recordedPricingDays = new Set<string>();
  private readonly dimensionCodes = new SpanDimensionCodes();
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
    if (spans.length === 0) return NOTHING_WRITTEN;
    if (!this.databaseAvailable) throw new DatabaseUnavailableError('database unavailable, retry later');
    const queued = this.queuedSpans;
    if (queued > 0 && queued + spans.length > this.options.maxQueueSpans) {
      throw new QueueFullError(`ingest queue full (${queued} spans waiting), retry later`);
    }
    const parts = this.splitByLane(spans);
    const outcomes = await Promise.allSettled(
      parts.map((part, i) =>
        part.length === 0
          ? Promise.resolve(NOTHING_WRITTEN)
          : new Promise<WriteOutcome>((resolve, reject) => {
              const lane = this.lanes[i]!;
              lane.queue.push({ spans: part, resolve, reject });
              lane.queued += part.length;
              this.pump(lane);
            }),
      ),
    );
    let sum: WriteOutcome = NOTHING_WRITTEN;
    let failure: unknown = null;
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') sum = addOutcomes(sum, outcome.value);
      else if (outcome.reason instanceof SpansRefusedError)
        sum = addOutcomes(sum, {
          ...NOTHING_WRITTEN,
          refused: parts[i]!.length,
          refusedReason: outcome.reason.message,
        });
      else failure ??= outcome.reason;
    }
    // An outage or a bug: retryable or not, the whole request is answered by it. A retry is safe,
    // as spans committed in another lane are recognised as duplicates.
    if (failure !== null) throw failure;
    if (sum.stored + sum.duplicates === 0) throw new SpansRefusedError(sum.refusedReason ?? 'spans refused');
    return sum;
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
    let busy = false;
    while (lane.queue.length > 0) {
      if (busy) await this.linger(lane);
      busy = true;
      const batch = takeBatch(lane.queue, this.options.maxBatchSpans);
      const count = batch.reduce((n, w) => n + w.spans.length, 0);
      try {
        await this.writeAll(batch, count);
      } catch (error) {
        if (isTransientDatabaseError(error)) {
          const unavailable = this.markUnavailable(error);
          for (const w of batch) w.reject(unavailable);
          // Everything still queued in this lane would fail the same way; exporters retry it.
          const rest = lane.queue.splice(0);
          for (const w of rest) w.reject(unavailable);
          lane.queued -= rest.reduce((n, w) => n + w.spans.length, 0);
        } else if (batch.length === 1) {
          batch[0]!.reject(refusal(error));
        } else {
          await this.writeOneByOne(batch);
        }
      } finally {
        lane.queued -= count;
      }
    }
  }

  /** Spans came in while this lane committed: wait, in short steps, until a batch is full or the linger ends. */
  private async linger(lane: Lane): Promise<void> {
    const { lingerMs = 0, maxBatchSpans } = this.options;
    const full = Math.min(this.options.lingerSpans ?? maxBatchSpans, maxBatchSpans);
    const wait = this.options.wait ?? sleep;
    const step = Math.max(1, Math.min(LINGER_STEP_MS, lingerMs));
    for (let waited = 0; waited < lingerMs && lane.queued < full; waited += step) await wait(step);
  }

  /** One transaction for the batch; resolves each request with its outcome. */
  private async writeAll(batch: PendingWrite[], count: number): Promise<void> {
    const started = performance.now();
    const outcomes = await writeBatch(
      this.pool,
      batch.map((w) => w.spans),
      {
        recent: this.recent,
        knownPartitionDays: this.knownPartitionDays,
        recordedPricingDays: this.recordedPricingDays,
        dimensionCodes: this.dimensionCodes,
        onUnpricedModel: this.events.onUnpricedModel,
        catalogLabel: this.events.catalogLabel,
      },
    );
    batch.forEach((w, i) => {
      w.resolve(outcomes[i]!);
    });
    const stored = outcomes.reduce((n, o) => n + o.stored, 0);
    this.events.onBatch?.({ spans: count, stored, durationMs: performance.now() - started });
  }

  /** After a batch failed: each request in its own transaction, so only the one at fault fails. */
  private async writeOneByOne(batch: PendingWrite[]): Promise<void> {
    for (const [i, w] of batch.entries()) {
      try {
        await this.writeAll([w], w.spans.length);
      } catch (error) {
        if (!isTransientDatabaseError(error)) {
          w.reject(refusal(error));
          continue;
        }
        const unavailable = this.markUnavailable(error);
        for (const rest of batch.slice(i)) rest.reject(unavailable);
        return;
      }
    }
  }

  /** After an outage-class failure: answer "unavailable" for a while, with this error. */
  private markUnavailable(error: unknown): DatabaseUnavailableError {
    this.unavailableUntil = Date.now() + (this.options.unavailableBackoffMs ?? 1000);
    return new DatabaseUnavailableError(`database unavailable: ${(error as Error).message}`);
  }
}

/** What a request is answered when its spans failed alone: refused for their data, else the error. */
function refusal(error: unknown): unknown {
  if (!isDataError(error)) return error;
  return new SpansRefusedError(`spans refused by the database: ${(error as Error).message}`);
}

function addOutcomes(a: WriteOutcome, b: WriteOutcome): WriteOutcome {
  return {
    stored: a.stored + b.stored,
    duplicates: a.duplicates + b.duplicates,
    refused: a.refused + b.refused,
    refusedReason: a.refusedReason ?? b.refusedReason,
  };
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
