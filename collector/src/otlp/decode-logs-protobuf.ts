// OTLP ExportLogsServiceRequest (protobuf) → DecodedLogRecord, read straight off the wire with the
// same reader, attribute limits and decoded-size budget as traces (proto-attributes.ts).

import { DecodeState, LOG_NOUNS } from './decode-state.ts';
import { acceptLogRecord, logsResult } from './log-records.ts';
import { readAnyValue, readKeyValue } from './proto-attributes.ts';
import { readEnvelope } from './proto-envelope.ts';
import { type ProtoReader, WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT } from './proto-reader.ts';
import type {
  AttributeValue,
  Attributes,
  DecodeLimits,
  DecodedLogRecord,
  DecodedLogs,
  DecodedResourceLogs,
} from './types.ts';

const LOG_FIELDS = { resources: 'resource_logs', scopes: 'scope_logs', item: 'log_record' };

export function decodeProtobufLogs(body: Uint8Array, limits: DecodeLimits): DecodedLogs {
  const state = new DecodeState(limits, LOG_NOUNS);
  const resourceLogs: DecodedResourceLogs[] = readEnvelope(body, state, LOG_FIELDS, readLogRecord).map((r) => ({
    resource: r.resource,
    scopeLogs: r.scopes.map((scope) => ({
      scopeName: scope.scopeName,
      scopeVersion: scope.scopeVersion,
      records: scope.items,
    })),
  }));
  return logsResult(state, resourceLogs);
}

function readLogRecord(reader: ProtoReader, end: number, state: DecodeState): DecodedLogRecord | null {
  state.enterItem();
  let timeNs = 0;
  let observedNs = 0;
  let severityNumber = 0;
  let eventName = '';
  let body: AttributeValue = null;
  const attributes: Attributes = {};
  let attributeCount = 0;
  let traceHex = '';
  let spanHex = '';
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        reader.expect(wire, WIRE_FIXED64, 'log_record.time_unix_nano');
        timeNs = reader.fixed64();
        break;
      case 11:
        reader.expect(wire, WIRE_FIXED64, 'log_record.observed_time_unix_nano');
        observedNs = reader.fixed64();
        break;
      case 2:
        reader.expect(wire, WIRE_VARINT, 'log_record.severity_number');
        severityNumber = reader.uint32();
        break;
      case 5:
        reader.expect(wire, WIRE_LENGTH, 'log_record.body');
        body = readAnyValue(reader, reader.lengthEnd(), state, 0);
        break;
      case 6:
        reader.expect(wire, WIRE_LENGTH, 'log_record.attributes');
        attributeCount = readKeyValue(
          reader,
          reader.lengthEnd(),
          attributes,
          attributeCount,
          state.limits.maxAttributesPerSpan,
          state,
        );
        break;
      case 9:
        reader.expect(wire, WIRE_LENGTH, 'log_record.trace_id');
        traceHex = reader.hex();
        break;
      case 10:
        reader.expect(wire, WIRE_LENGTH, 'log_record.span_id');
        spanHex = reader.hex();
        break;
      case 12:
        reader.expect(wire, WIRE_LENGTH, 'log_record.event_name');
        eventName = reader.string();
        break;
      default:
        reader.skip(wire);
    }
  }
  return acceptLogRecord(state, {
    timeNs,
    observedNs,
    severityNumber,
    eventName,
    body,
    attributes,
    traceHex,
    spanHex,
  });
}
