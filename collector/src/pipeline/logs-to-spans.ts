// The logs signal's processor in front of the trace pipeline: the records that report a model call
// (normalize/log-calls.ts) become spans; evaluation results naming their span are set apart to be
// held for it; other records that name their span are kept with it (normalize/span-log.ts); the
// rest are counted and not stored. What the logs decoder rejected or cut travels on, so the
// response's partial success reports it.

import type { HeldEvaluation, Project, SpanLog } from '@vigil/core';
import { evaluationOfAttributes, EVALUATION_EVENT } from '../normalize/evaluation.ts';
import { resourceIdentity, tenantOf } from '../normalize/identity.ts';
import { eventNameOf, modelCallOfLogRecord } from '../normalize/log-calls.ts';
import { spanLogsOfRecord } from '../normalize/span-log.ts';
import type {
  Attributes,
  DecodeResult,
  DecodedLogRecord,
  DecodedLogs,
  DecodedResourceSpans,
  DecodedSpan,
} from '../otlp/types.ts';

export interface LogsAsSpans {
  traces: DecodeResult;
  /** gen_ai.evaluation.result events with the evaluated span's ids. */
  evaluations: HeldEvaluation[];
  /** The rows of the other records that name their span, kept with it. */
  spanLogs: SpanLog[];
  /** How many records those rows are. */
  attached: number;
  /** Records that are none of these (no span, or content not captured): not stored. */
  notStored: number;
}

function heldEvaluationOf(
  record: DecodedLogRecord,
  resource: Attributes,
  tenantKeys: readonly string[],
): HeldEvaluation | null {
  if (record.traceId === null || record.spanId === null || eventNameOf(record) !== EVALUATION_EVENT) return null;
  const result = evaluationOfAttributes(record.attributes, record.timeMs);
  if (!result) return null;
  const fromResource = resourceIdentity(resource, tenantKeys);
  return {
    traceId: record.traceId,
    spanId: record.spanId,
    result,
    tenantId: tenantOf(record.attributes, fromResource, tenantKeys),
    serviceName: fromResource.serviceName,
  };
}

export function logsToSpans(
  logs: DecodedLogs,
  receivedMs: number,
  project: Pick<Project, 'tenantAttributeKeys' | 'captureContent'>,
): LogsAsSpans {
  const tenantKeys = project.tenantAttributeKeys;
  const resourceSpans: DecodedResourceSpans[] = [];
  const evaluations: HeldEvaluation[] = [];
  const spanLogs: SpanLog[] = [];
  let calls = 0;
  let attached = 0;
  for (const { resource, scopeLogs } of logs.resourceLogs) {
    const scopeSpans = [];
    for (const scope of scopeLogs) {
      const spans: DecodedSpan[] = [];
      for (const record of scope.records) {
        const span = modelCallOfLogRecord(record, resource, receivedMs);
        if (span) spans.push(span);
        else {
          const evaluation = heldEvaluationOf(record, resource, tenantKeys);
          if (evaluation) evaluations.push(evaluation);
          else {
            const kept = spanLogsOfRecord(record, project.captureContent);
            if (kept.length > 0) attached++;
            for (const log of kept) spanLogs.push(log);
          }
        }
      }
      if (spans.length > 0) scopeSpans.push({ scopeName: scope.scopeName, scopeVersion: scope.scopeVersion, spans });
      calls += spans.length;
    }
    if (scopeSpans.length > 0) resourceSpans.push({ resource, scopeSpans });
  }
  return {
    traces: {
      resourceSpans,
      spanCount: calls,
      rejectedSpans: logs.rejectedRecords,
      rejectionReasons: logs.rejectionReasons,
      droppedAttributes: logs.droppedAttributes,
      truncatedValues: logs.truncatedValues,
      droppedEvents: 0,
      decodedBytes: logs.decodedBytes,
    },
    evaluations,
    spanLogs,
    attached,
    notStored: logs.recordCount - calls - evaluations.length - attached,
  };
}
