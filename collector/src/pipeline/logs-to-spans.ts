// The logs signal's processor in front of the trace pipeline: the records that report a model call
// (normalize/log-calls.ts) become spans; evaluation results naming their span are set apart to be
// held for it; the rest are counted and not stored. What the logs decoder rejected or cut travels
// on, so the response's partial success reports it.

import type { HeldEvaluation } from '@vigil/core';
import { evaluationOfAttributes, EVALUATION_EVENT } from '../normalize/evaluation.ts';
import { resourceIdentity, tenantOf } from '../normalize/identity.ts';
import { eventNameOf, modelCallOfLogRecord } from '../normalize/log-calls.ts';
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
  /** Records that are neither (other events, plain logs): not stored. */
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

export function logsToSpans(logs: DecodedLogs, receivedMs: number, tenantKeys: readonly string[]): LogsAsSpans {
  const resourceSpans: DecodedResourceSpans[] = [];
  const evaluations: HeldEvaluation[] = [];
  let calls = 0;
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
    notStored: logs.recordCount - calls - evaluations.length,
  };
}
