// OTLP ExportTraceServiceRequest (protobuf) → DecodedSpan, read straight off the wire.
//
// Hand-written on purpose: it is the hottest path of ingest, and going through a generic protobuf
// runtime means building message objects, converting Longs and hex-encoding ids in a second pass.

import { MAX_VALUE_DEPTH, limitString, setAttribute } from './attribute-limits.ts';
import { ProtoReader, WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT } from './proto-reader.ts';
import { DECODED_COST, DecodeState, endMsOf } from './decode-state.ts';
import { normalizeParentId } from './span-ids.ts';
import type {
  AttributeValue,
  Attributes,
  DecodeLimits,
  DecodeResult,
  DecodedEvent,
  DecodedResourceSpans,
  DecodedScopeSpans,
  DecodedSpan,
} from './types.ts';

export function decodeProtobufTraces(body: Uint8Array, limits: DecodeLimits): DecodeResult {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const reader = new ProtoReader(buf);
  const state = new DecodeState(limits);
  const resourceSpans: DecodedResourceSpans[] = [];
  while (reader.pos < buf.length) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) {
      reader.expect(tag & 7, WIRE_LENGTH, 'resource_spans');
      state.enterResourceSpans();
      resourceSpans.push(readResourceSpans(reader, reader.lengthEnd(), state));
    } else reader.skip(tag & 7);
  }
  return state.result(resourceSpans);
}

function readResourceSpans(reader: ProtoReader, end: number, state: DecodeState): DecodedResourceSpans {
  let resource: Attributes = {};
  const scopeSpans: DecodedScopeSpans[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1) {
      reader.expect(tag & 7, WIRE_LENGTH, 'resource');
      resource = readResource(reader, reader.lengthEnd(), state);
    } else if (field === 2) {
      reader.expect(tag & 7, WIRE_LENGTH, 'scope_spans');
      state.enterScopeSpans();
      scopeSpans.push(readScopeSpans(reader, reader.lengthEnd(), state));
    } else reader.skip(tag & 7);
  }
  return { resource, scopeSpans };
}

function readResource(reader: ProtoReader, end: number, state: DecodeState): Attributes {
  const attributes: Attributes = {};
  let count = 0;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) {
      reader.expect(tag & 7, WIRE_LENGTH, 'resource attribute');
      count = readKeyValue(reader, reader.lengthEnd(), attributes, count, state.limits.maxAttributesPerSpan, state);
    } else reader.skip(tag & 7);
  }
  return attributes;
}

function readScopeSpans(reader: ProtoReader, end: number, state: DecodeState): DecodedScopeSpans {
  let scopeName = '';
  let scopeVersion = '';
  const spans: DecodedSpan[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1) {
      reader.expect(tag & 7, WIRE_LENGTH, 'scope');
      const scopeEnd = reader.lengthEnd();
      while (reader.pos < scopeEnd) {
        const scopeTag = reader.uint32();
        const scopeField = scopeTag >>> 3;
        if (scopeField === 1 && (scopeTag & 7) === WIRE_LENGTH) scopeName = reader.string();
        else if (scopeField === 2 && (scopeTag & 7) === WIRE_LENGTH) scopeVersion = reader.string();
        else reader.skip(scopeTag & 7);
      }
    } else if (field === 2) {
      reader.expect(tag & 7, WIRE_LENGTH, 'span');
      state.enterSpan();
      const span = readSpan(reader, reader.lengthEnd(), state);
      if (span) spans.push(span);
    } else reader.skip(tag & 7);
  }
  state.charge(scopeName.length + scopeVersion.length);
  return { scopeName, scopeVersion, spans };
}

function readSpan(reader: ProtoReader, end: number, state: DecodeState): DecodedSpan | null {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let name = '';
  let kind = 0;
  let startNs = 0;
  let endNs = 0;
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
        startNs = reader.fixed64();
        break;
      case 8:
        reader.expect(wire, WIRE_FIXED64, 'span.end_time_unix_nano');
        endNs = reader.fixed64();
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
    startMs: startNs / 1e6,
    endMs: endMsOf(startNs, endNs),
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

/** Reads one KeyValue into `into`, honouring the attribute-count limit `max`; returns the new count. */
function readKeyValue(
  reader: ProtoReader,
  end: number,
  into: Attributes,
  count: number,
  max: number,
  state: DecodeState,
): number {
  let key: string | null = null;
  let value: AttributeValue = null;
  // Over the limit, the value is not decoded at all (its bytes are skipped): nothing to truncate.
  const full = count >= max;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE_LENGTH) key = reader.string();
    else if (field === 2 && (tag & 7) === WIRE_LENGTH) {
      if (full && key !== null && !Object.hasOwn(into, key)) reader.skip(WIRE_LENGTH);
      else value = readAnyValue(reader, reader.lengthEnd(), state, 0);
    } else reader.skip(tag & 7);
  }
  key ??= '';
  if (Object.hasOwn(into, key)) {
    setAttribute(into, key, value); // a later duplicate wins, as in the SDKs
    return count;
  }
  if (count >= max) {
    state.droppedAttributes++;
    return count;
  }
  state.charge(DECODED_COST.attribute + key.length);
  setAttribute(into, key, value);
  return count + 1;
}

function readAnyValue(reader: ProtoReader, end: number, state: DecodeState, depth: number): AttributeValue {
  if (depth > MAX_VALUE_DEPTH) reader.fail(`attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`);
  let value: AttributeValue = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        reader.expect(wire, WIRE_LENGTH, 'AnyValue.string_value');
        value = limitString(reader.string(), state.limits, state);
        state.charge(value.length);
        break;
      case 2:
        reader.expect(wire, WIRE_VARINT, 'AnyValue.bool_value');
        value = reader.bool();
        break;
      case 3:
        reader.expect(wire, WIRE_VARINT, 'AnyValue.int_value');
        value = reader.int64();
        break;
      case 4:
        reader.expect(wire, WIRE_FIXED64, 'AnyValue.double_value');
        value = reader.double();
        break;
      case 5: {
        reader.expect(wire, WIRE_LENGTH, 'AnyValue.array_value');
        const arrayEnd = reader.lengthEnd();
        const values: AttributeValue[] = [];
        while (reader.pos < arrayEnd) {
          const itemTag = reader.uint32();
          if (itemTag >>> 3 === 1 && (itemTag & 7) === WIRE_LENGTH) {
            state.charge(DECODED_COST.element);
            values.push(readAnyValue(reader, reader.lengthEnd(), state, depth + 1));
          } else reader.skip(itemTag & 7);
        }
        state.charge(DECODED_COST.container);
        value = values;
        break;
      }
      case 6: {
        reader.expect(wire, WIRE_LENGTH, 'AnyValue.kvlist_value');
        const listEnd = reader.lengthEnd();
        const object: Attributes = {};
        let count = 0;
        while (reader.pos < listEnd) {
          const itemTag = reader.uint32();
          if (itemTag >>> 3 === 1 && (itemTag & 7) === WIRE_LENGTH) {
            count = readNestedKeyValue(reader, reader.lengthEnd(), object, count, state, depth + 1);
          } else reader.skip(itemTag & 7);
        }
        state.charge(DECODED_COST.container);
        value = object;
        break;
      }
      case 7:
        reader.expect(wire, WIRE_LENGTH, 'AnyValue.bytes_value');
        value = reader.bytesBase64();
        state.charge(value.length);
        break;
      default:
        reader.skip(wire);
    }
  }
  return value;
}

function readNestedKeyValue(
  reader: ProtoReader,
  end: number,
  into: Attributes,
  count: number,
  state: DecodeState,
  depth: number,
): number {
  let key = '';
  let value: AttributeValue = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE_LENGTH) key = reader.string();
    else if (field === 2 && (tag & 7) === WIRE_LENGTH) value = readAnyValue(reader, reader.lengthEnd(), state, depth);
    else reader.skip(tag & 7);
  }
  state.charge(DECODED_COST.element + key.length);
  setAttribute(into, key, value);
  return count + 1;
}
