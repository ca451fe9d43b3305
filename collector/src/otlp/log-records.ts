// What both logs decoders share: a record's fields as read, the check of its ids that accepts or
// rejects it, and the request's result from the decode state.

import { DECODED_COST, type DecodeState } from './decode-state.ts';
import { logRecordIds } from './span-ids.ts';
import type { AttributeValue, Attributes, DecodedLogRecord, DecodedLogs, DecodedResourceLogs } from './types.ts';

/** What both wire formats read of a record, before its ids are checked. */
export interface RawLogRecord {
  timeNs: number;
  observedNs: number;
  severityNumber: number;
  eventName: string;
  body: AttributeValue;
  attributes: Attributes;
  traceHex: string;
  spanHex: string;
}

/** Counts a record in, or rejects it (counted, with its reason) when an id is malformed. */
export function acceptLogRecord(state: DecodeState, raw: RawLogRecord, where?: string): DecodedLogRecord | null {
  const ids = logRecordIds(raw.traceHex, raw.spanHex);
  const label = where ?? `log record ${state.accepted + state.rejected}`;
  if (typeof ids === 'string') {
    state.reject(label, raw.eventName, ids);
    return null;
  }
  state.charge(DECODED_COST.event + raw.eventName.length);
  state.accepted++;
  return {
    timeMs: (raw.timeNs || raw.observedNs) / 1e6,
    severityNumber: raw.severityNumber,
    eventName: raw.eventName,
    body: raw.body,
    attributes: raw.attributes,
    traceId: ids.traceId,
    spanId: ids.spanId,
  };
}

/** The decode result of a logs request, from the state both wire formats fill. */
export function logsResult(state: DecodeState, resourceLogs: DecodedResourceLogs[]): DecodedLogs {
  return {
    resourceLogs,
    recordCount: state.accepted,
    rejectedRecords: state.rejected,
    rejectionReasons: state.rejectionReasons,
    droppedAttributes: state.droppedAttributes,
    truncatedValues: state.truncatedValues,
    decodedBytes: state.decodedBytes,
  };
}
