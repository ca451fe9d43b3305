// The logs signal's pipeline: the records that report a model call become spans for the trace
// pipeline (logs-to-spans.ts); evaluation results sent as events of a span are held until that span
// is stored (core's held-evaluations.ts); other records that name their span are stored with it
// (span_logs); the rest are counted and not stored. Settles once all are committed.

import { holdEvaluations, type Project, writeSpanLogs } from '@vigil/core';
import type pg from 'pg';
import type { CollectorMetrics } from '../metrics.ts';
import type { DecodedLogs } from '../otlp/types.ts';
import { DatabaseUnavailableError } from '../writer/errors.ts';
import { logsToSpans } from './logs-to-spans.ts';
import type { ConsumeOutcome, TraceBatch, TracePipeline } from './trace-pipeline.ts';

export interface LogPipelineDeps {
  traces: TracePipeline;
  pool: pg.Pool;
  metrics: CollectorMetrics;
}

export class LogPipeline {
  private readonly deps: LogPipelineDeps;

  constructor(deps: LogPipelineDeps) {
    this.deps = deps;
  }

  async consume(project: Project, logs: DecodedLogs, admission: TraceBatch['admission']): Promise<ConsumeOutcome> {
    const { metrics } = this.deps;
    const { traces, evaluations, spanLogs, attached, notStored } = logsToSpans(logs, Date.now(), project);
    metrics.logRecordsReceived.inc(logs.recordCount);
    if (logs.rejectedRecords > 0) metrics.logRecordsRejected.inc({ reason: 'invalid_record' }, logs.rejectedRecords);
    if (traces.spanCount > 0) metrics.logRecordsAsCalls.inc(traces.spanCount);
    if (evaluations.length > 0) metrics.logRecordsEvaluations.inc(evaluations.length);
    if (attached > 0) metrics.logRecordsAttached.inc(attached);
    if (notStored > 0) metrics.logRecordsNotStored.inc(notStored);
    const outcome = await this.deps.traces.consume({
      project,
      traces,
      items: 'log records',
      ...(admission ? { admission } : {}),
    });
    if (evaluations.length > 0)
      await holdEvaluations(this.deps.pool, project.id, evaluations).catch((error: unknown) => {
        throw new DatabaseUnavailableError(`evaluation results not stored: ${(error as Error).message}`);
      });
    if (spanLogs.length > 0)
      await writeSpanLogs(this.deps.pool, project.id, spanLogs).catch((error: unknown) => {
        throw new DatabaseUnavailableError(`log records not stored: ${(error as Error).message}`);
      });
    return outcome;
  }
}
