// OTLP ExportTraceServiceRequest (protobuf) → DecodedSpan, read straight off the wire.
//
// Hand-written on purpose: it is the hottest path of ingest, and going through a generic protobuf
// runtime means building message objects, converting Longs and hex-encoding ids in a second pass.

import { type ProtoReader, WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT } from './proto-reader.ts';
import { DECODED_COST, DecodeState, durationMsOf } from './decode-state.ts';
import { readKeyValue } from './proto-attributes.ts';
import { readEnvelope } from './proto-envelope.ts';
import { normalizeParentId } from './span-ids.ts';
import type {
  Attributes,
  DecodeLimits,
  DecodeResult,
  DecodedEvent,
  DecodedResourceSpans,
  DecodedSpan,
} from './types.ts';

const TRACE_FIELDS = { resources: 'resource_spans', scopes: 'scope_spans', item: 'span' };

export function decodeProtobufTraces(body: Uint8Array, limits: DecodeLimits): DecodeResult {
  const state = new DecodeState(limits);
  const resourceSpans: DecodedResourceSpans[] = readEnvelope(body, state, TRACE_FIELDS, readSpan).map((r) => ({
    resource: r.resource,
    scopeSpans: r.scopes.map((scope) => ({
      scopeName: scope.scopeName,
      scopeVersion: scope.scopeVersion,
      spans: scope.items,
    })),
  }));
  return state.result(resourceSpans);
}

function readSpan(reader: ProtoReader, end: number, state: DecodeState): DecodedSpan | null {
  state.enterItem();
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let kind = 0;
  let startHigh = 0;
  let startLow = 0;
  let endHigh = 0;
  let endLow = 0;
  let statusCode = 0;
  let statusMessage = '';
  const attributes: Attributes = {};
  let attributeCount = 0;
  const events: DecodedEvent[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        reader.expect(wire, WIRE_LENGTH, 'span.trace_id');
        traceId = reader.hex();
        break;
      case 2:
        reader.expect(wire, WIRE_LENGTH, 'span.span_id');
        spanId = reader.hex();
        break;
      case 4:
        reader.expect(wire, WIRE_LENGTH, 'span.parent_span_id');
        parentSpanId = reader.hex();
        break;
      case 5:
        reader.expect(wire, WIRE_LENGTH, 'span.name');
        name = reader.string();
        break;
      case 6:
        reader.expect(wire, WIRE_VARINT, 'span.kind');
        kind = reader.uint32();
        break;
      case 7:
        reader.expect(wire, WIRE_FIXED64, 'span.start_time_unix_nano');
        reader.fixed64();
        startHigh = reader.fixed64High;
        startLow = reader.fixed64Low;
        break;
      case 8:
        reader.expect(wire, WIRE_FIXED64, 'span.end_time_unix_nano');
        reader.fixed64();
        endHigh = reader.fixed64High;
        endLow = reader.fixed64Low;
        break;
      case 9:
        reader.expect(wire, WIRE_LENGTH, 'span.attributes');
        attributeCount = readKeyValue(
          reader,
          reader.lengthEnd(),
          attributes,
          attributeCount,
          state.limits.maxAttributesPerSpan,
          state,
        );
        break;
      case 11:
        reader.expect(wire, WIRE_LENGTH, 'span.events');
        if (events.length < state.limits.maxEventsPerSpan) events.push(readEvent(reader, reader.lengthEnd(), state));
        else {
          // Past the limit an event is skipped undecoded, as the SDKs drop events past theirs.
          reader.skip(WIRE_LENGTH);
          state.droppedEvents++;
        }
        break;
      case 15: {
        reader.expect(wire, WIRE_LENGTH, 'span.status');
        const statusEnd = reader.lengthEnd();
        while (reader.pos < statusEnd) {
          const statusTag = reader.uint32();
          const statusField = statusTag >>> 3;
          if (statusField === 2 && (statusTag & 7) === WIRE_LENGTH) statusMessage = reader.string();
          else if (statusField === 3 && (statusTag & 7) === WIRE_VARINT) statusCode = reader.uint32();
          else reader.skip(statusTag & 7);
        }
        break;
      }
      default:
        reader.skip(wire);
    }
  }
  state.charge(name.length + statusMessage.length);
  const decoded: DecodedSpan = {
    traceId,
    spanId,
    parentSpanId: normalizeParentId(parentSpanId),
    name,
    kind,
    startMs: (startHigh * 4294967296 + startLow) / 1e6,
    durationMs: durationMsOf(startHigh, startLow, endHigh, endLow, 4294967296),
    statusCode,
    statusMessage,
    attributes,
    events,
  };
  return state.accept(decoded) ? decoded : null;
}

function readEvent(reader: ProtoReader, end: number, state: DecodeState): DecodedEvent {
  let timeNs = 0;
  let name = '';
  const attributes: Attributes = {};
  let count = 0;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE_FIXED64) timeNs = reader.fixed64();
    else if (field === 2 && (tag & 7) === WIRE_LENGTH) name = reader.string();
    else if (field === 3 && (tag & 7) === WIRE_LENGTH)
      count = readKeyValue(reader, reader.lengthEnd(), attributes, count, state.limits.maxAttributesPerEvent, state);
    else reader.skip(tag & 7);
  }
  state.charge(DECODED_COST.event + name.length);
  return { name, timeMs: timeNs / 1e6, attributes };
}
