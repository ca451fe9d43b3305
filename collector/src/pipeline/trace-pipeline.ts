// The trace pipeline behind every receiver, as in the OpenTelemetry Collector: a receiver
// authenticates and decodes, then hands a batch to consume(); the stages are
//   normalize (dialects → StoredSpan) → price → fit to columns → write (group commit, with trace assembly inside
//   the transaction: context inheritance, wrappers, late parents) → acknowledge.
// consume() settles only once the batch's spans are committed. A gRPC or logs receiver is one new
// file that calls it.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type Project, priceSpans } from '@vigil/core';
import type { CollectorMetrics } from '../metrics.ts';
import { normalizeRequest } from '../normalize/normalize-request.ts';
import type { PartialSuccess } from '../otlp/encode-response.ts';
import type { DecodeLimits, DecodeResult } from '../otlp/types.ts';
import type { ProjectDirectory } from '../projects/project-directory.ts';
import { MAX_REJECTION_REASONS } from '../otlp/span-ids.ts';
import { DatabaseUnavailableError, QueueFullError, SpansRefusedError } from '../writer/errors.ts';
import type { SpanWriter, WriteOutcome } from '../writer/span-writer.ts';
import type { AdmissionTicket } from './admission.ts';
import { type FittedSpans, fitSpansToColumns } from './fit-to-columns.ts';

/** One receiver request: the project its key names, and its decoded spans. */
export interface TraceBatch {
  project: Project;
  traces: DecodeResult;
  /** What the request's items are called in partial_success ("spans", "log records"); spans by default. */
  items?: string;
  /** Its reservation, released as soon as its spans are in the write queue. */
  admission?: Pick<AdmissionTicket, 'release'>;
}

export interface ConsumeOutcome {
  stored: number;
  duplicates: number;
  /** What was rejected or cut, for the response's partial_success; absent when nothing was. */
  partialSuccess?: PartialSuccess;
}

export interface TracePipelineDeps {
  writer: SpanWriter;
  projects: ProjectDirectory;
  metrics: CollectorMetrics;
  limits: DecodeLimits;
}

export class TracePipeline {
  private readonly deps: TracePipelineDeps;

  constructor(deps: TracePipelineDeps) {
    this.deps = deps;
  }

  /** Whether the database can take writes now; receivers answer "unavailable" early when not. */
  get databaseAvailable(): boolean {
    return this.deps.writer.databaseAvailable;
  }

  /** Spans accepted and not yet committed, for health and metrics. */
  get queuedSpans(): number {
    return this.deps.writer.queuedSpans;
  }

  /**
   * Throws QueueFullError or DatabaseUnavailableError (retryable) when the batch was not stored, and
   * SpansRefusedError when the database refused every span of it.
   */
  async consume(batch: TraceBatch): Promise<ConsumeOutcome> {
    const { writer, projects, metrics } = this.deps;
    const { traces, project } = batch;
    metrics.spansReceived.inc(traces.spanCount);
    if (traces.rejectedSpans > 0) metrics.spansRejected.inc({ reason: 'invalid_span' }, traces.rejectedSpans);
    const truncated = traces.droppedAttributes + traces.truncatedValues;
    if (truncated > 0) metrics.attributesTruncated.inc(truncated);
    if (traces.droppedEvents > 0) metrics.eventsDropped.inc(traces.droppedEvents);
    try {
      const catalog = await projects.priceCatalog(project.id).catch((error: unknown) => {
        throw new DatabaseUnavailableError(`price overrides unavailable: ${(error as Error).message}`);
      });
      // A turn of the event loop between decoding and normalising: health checks and other
      // requests' I/O get in between, rather than waiting for many requests' work in one go.
      await yieldToEventLoop();
      const spans = normalizeRequest(traces, project);
      priceSpans(spans, catalog);
      const fitted = fitSpansToColumns(spans);
      if (fitted.rejected.count > 0) metrics.spansRejected.inc({ reason: 'out_of_range' }, fitted.rejected.count);
      for (const [field, n] of fitted.cleared) metrics.valuesCleared.inc({ field }, n);
      const written = writer.write(fitted.storable);
      // write() has queued the spans synchronously: from here the queue counts them.
      batch.admission?.release();
      const outcome = await written;
      metrics.spansStored.inc(outcome.stored);
      if (outcome.duplicates > 0) metrics.spansDuplicate.inc(outcome.duplicates);
      if (outcome.refused > 0) metrics.spansRejected.inc({ reason: 'refused_by_database' }, outcome.refused);
      const partialSuccess = partialSuccessOf(traces, fitted, outcome, this.deps.limits, batch.items ?? 'spans');
      return { stored: outcome.stored, duplicates: outcome.duplicates, ...(partialSuccess ? { partialSuccess } : {}) };
    } catch (error) {
      if (error instanceof QueueFullError) metrics.spansDropped.inc({ reason: 'queue_full' }, traces.spanCount);
      if (error instanceof DatabaseUnavailableError)
        metrics.spansDropped.inc({ reason: 'database_unavailable' }, traces.spanCount);
      if (error instanceof SpansRefusedError)
        metrics.spansRejected.inc({ reason: 'refused_by_database' }, traces.spanCount);
      throw error;
    }
  }
}

function partialSuccessOf(
  traces: DecodeResult,
  fitted: FittedSpans,
  written: WriteOutcome,
  limits: DecodeLimits,
  items: string,
): PartialSuccess | undefined {
  const messages: string[] = [];
  const reasons = [...traces.rejectionReasons, ...fitted.rejected.reasons].slice(0, MAX_REJECTION_REASONS);
  const rejected = traces.rejectedSpans + fitted.rejected.count;
  if (rejected > 0) messages.push(`${rejected} ${items} rejected: ${reasons.join('; ')}`);
  if (written.refused > 0)
    messages.push(`${written.refused} ${items} refused by the database: ${written.refusedReason}`);
  if (fitted.cleared.size > 0)
    messages.push(
      `values that do not fit their column stored as null: ${[...fitted.cleared].map(([field, n]) => `${field} (${n})`).join(', ')}`,
    );
  if (traces.droppedAttributes > 0)
    messages.push(
      `${traces.droppedAttributes} attributes dropped over the limits of ${limits.maxAttributesPerSpan} per span and ${limits.maxAttributesPerEvent} per event`,
    );
  if (traces.truncatedValues > 0)
    messages.push(
      `${traces.truncatedValues} attribute values truncated to ${limits.maxAttributeValueLength} characters`,
    );
  if (traces.droppedEvents > 0)
    messages.push(`${traces.droppedEvents} span events dropped over the limit of ${limits.maxEventsPerSpan} per span`);
  return messages.length > 0 ? { rejected: rejected + written.refused, errorMessage: messages.join('; ') } : undefined;
}
