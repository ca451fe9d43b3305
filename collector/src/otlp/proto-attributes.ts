// OTLP common.proto values read straight off the wire: KeyValue lists and AnyValue, with the
// attribute limits and the decoded-size budget applied as they are read. Every signal's protobuf
// decoder (traces, logs) reads attributes through these.

import { MAX_VALUE_DEPTH, limitString, setAttribute } from './attribute-limits.ts';
import { DECODED_COST, type DecodeState } from './decode-state.ts';
import { type ProtoReader, WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT } from './proto-reader.ts';
import type { AttributeValue, Attributes } from './types.ts';

/** Reads one KeyValue into `into`, honouring the attribute-count limit `max`; returns the new count. */
export function readKeyValue(
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

export function readAnyValue(reader: ProtoReader, end: number, state: DecodeState, depth: number): AttributeValue {
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
