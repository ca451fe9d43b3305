// The logs signal's processor in front of the trace pipeline: the records that report a model call
// (normalize/log-calls.ts) become spans; the rest are counted and not stored. What the logs decoder
// rejected or cut travels on, so the response's partial success reports it.

import { modelCallOfLogRecord } from '../normalize/log-calls.ts';
import type { DecodeResult, DecodedLogs, DecodedResourceSpans, DecodedSpan } from '../otlp/types.ts';

export interface LogsAsSpans {
  traces: DecodeResult;
  /** Records that are not a model call Vigil reads (other events, plain logs): not stored. */
  notStored: number;
}

export function logsToSpans(logs: DecodedLogs, receivedMs: number): LogsAsSpans {
  const resourceSpans: DecodedResourceSpans[] = [];
  let calls = 0;
  for (const { resource, scopeLogs } of logs.resourceLogs) {
    const scopeSpans = [];
    for (const scope of scopeLogs) {
      const spans: DecodedSpan[] = [];
      for (const record of scope.records) {
        const span = modelCallOfLogRecord(record, resource, receivedMs);
        if (span) spans.push(span);
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
    notStored: logs.recordCount - calls,
  };
}
