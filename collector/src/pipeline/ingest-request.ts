// What every receiver does with a request once it has its key and its body, whatever the transport:
// the key names a project, admission reserves room, the body decodes in a processing slot, and the
// trace pipeline takes the spans. A receiver keeps only what its transport owns (reading the body,
// limits on the wire, status codes); failures come out as IngestFailure (ingest-failure.ts).

import { bearerToken, type Project } from '@vigil/core';
import type { CollectorMetrics } from '../metrics.ts';
import type { MetricPipeline } from '../metric-ingest/metric-pipeline.ts';
import { decodeLogs, decodeMetrics, decodeTraces } from '../otlp/decode.ts';
import type { Signal, WireFormat } from '../otlp/encode-response.ts';
import type { DecodeLimits } from '../otlp/types.ts';
import type { ProjectDirectory } from '../projects/project-directory.ts';
import type { Admission, AdmissionTicket, RequestShape } from './admission.ts';
import { IngestFailure, UNAVAILABLE_RETRY_SECONDS } from './ingest-failure.ts';
import type { LogPipeline } from './log-pipeline.ts';
import type { ProcessingSlots } from './processing-slots.ts';
import type { ConsumeOutcome, TracePipeline } from './trace-pipeline.ts';

export interface IngestDeps {
  pipeline: TracePipeline;
  logPipeline: LogPipeline;
  metricPipeline: MetricPipeline;
  admission: Admission;
  slots: ProcessingSlots;
  projects: ProjectDirectory;
  limits: DecodeLimits;
  metrics: CollectorMetrics;
  log: (message: string) => void;
}

/**
 * The ingest key a request carries: `Authorization: Bearer <key>` when that header is sent (even
 * malformed: then none), else `x-vigil-key`. HTTP headers and gRPC metadata alike.
 */
export function ingestKeyFrom(authorization: string | undefined, vigilKey: string | undefined): string | null {
  const bearer = authorization?.trim();
  if (bearer) return bearerToken(bearer);
  const key = vigilKey?.trim();
  return key ? key : null;
}

/** The project a request's key names. Throws IngestFailure: unauthenticated, or unavailable. */
export async function authenticate(deps: IngestDeps, key: string | null, howToSend: string): Promise<Project> {
  if (!key) throw new IngestFailure('unauthenticated', `missing ingest key: send ${howToSend}`);
  if (!deps.pipeline.databaseAvailable)
    throw new IngestFailure('unavailable', 'database unavailable, retry later', UNAVAILABLE_RETRY_SECONDS);
  let project: Project | null;
  try {
    project = await deps.projects.projectForKey(key);
  } catch (error) {
    deps.log(`ingest key lookup failed: ${(error as Error).message}`);
    throw new IngestFailure('unavailable', 'database unavailable, retry later', UNAVAILABLE_RETRY_SECONDS);
  }
  if (!project) throw new IngestFailure('unauthenticated', 'invalid, revoked or expired ingest key');
  return project;
}

/** Reserves room for a request of this shape. Throws IngestFailure (overloaded) when there is none. */
export function admit(deps: IngestDeps, shape: RequestShape): AdmissionTicket {
  const admission = deps.admission.admit(shape);
  if (!admission.admitted) throw new IngestFailure('overloaded', admission.reason, admission.retryAfterSeconds);
  return admission.ticket;
}

/**
 * Decodes a whole (decompressed) body of a signal and hands it to that signal's pipeline (trace,
 * log or metric); settles once what it stores is committed. The ticket is released here whatever happens.
 */
export async function consumeSignal(
  deps: IngestDeps,
  signal: Signal,
  project: Project,
  format: WireFormat,
  body: Buffer,
  ticket: AdmissionTicket,
): Promise<ConsumeOutcome> {
  let releaseSlot: (() => void) | undefined;
  try {
    releaseSlot = await deps.slots.acquire();
    if (signal === 'metrics') {
      const decoded = decodeMetrics(format, body, deps.limits);
      // Points are not queued as spans: the request holds no room in the write queue.
      ticket.settle(0, decoded.decodedBytes);
      releaseSlot();
      releaseSlot = undefined;
      const outcome = await deps.metricPipeline.consume(project, decoded);
      return {
        stored: outcome.counted,
        duplicates: 0,
        ...(outcome.partialSuccess ? { partialSuccess: outcome.partialSuccess } : {}),
      };
    }
    const queued = releaseSlot;
    const admission = {
      release: () => {
        ticket.release();
        queued();
      },
    };
    if (signal === 'logs') {
      const logs = decodeLogs(format, body, deps.limits);
      ticket.settle(logs.recordCount + logs.rejectedRecords, logs.decodedBytes);
      return await deps.logPipeline.consume(project, logs, admission);
    }
    const traces = decodeTraces(format, body, deps.limits);
    ticket.settle(traces.spanCount + traces.rejectedSpans, traces.decodedBytes);
    return await deps.pipeline.consume({ project, traces, admission });
  } finally {
    ticket.release();
    releaseSlot?.();
  }
}
