// The OTLP JSON mapping's values, shared by every signal's JSON decoder: objects, arrays, strings,
// 64-bit integers as decimal strings (numbers accepted too), enums as integers (names accepted too),
// and KeyValue lists with the attribute limits applied. A value of the wrong type fails with its
// JSON path.

import { MAX_VALUE_DEPTH, limitString, setAttribute } from './attribute-limits.ts';
import { DECODED_COST, type DecodeState } from './decode-state.ts';
import { jsonParseCost } from './json-parse-cost.ts';
import { OtlpDecodeError, type AttributeValue, type Attributes } from './types.ts';

export type Json = unknown;
export type JsonObject = Record<string, Json>;

const INT64_RE = /^-?\d{1,20}$/;

/**
 * Parses a request body. JSON.parse builds the whole tree before any of it can be counted, so what
 * it would build is estimated from the text first (a million "{}" cost more than their bytes suggest).
 */
export function parseJsonBody(body: Buffer | string, state: DecodeState): Json {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  state.charge(jsonParseCost(bytes, state.limits.maxDecodedBytes));
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (error) {
    throw new OtlpDecodeError(`invalid JSON body: ${(error as Error).message}`);
  }
}

export function fail(path: string, message: string): never {
  throw new OtlpDecodeError(`invalid OTLP JSON: ${path}: ${message}`);
}

export function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: Json, path: string): JsonObject {
  if (!isObject(value)) fail(path, `expected an object, got ${describe(value)}`);
  return value;
}

export function arrayAt(value: Json, path: string): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`);
  return value;
}

export function stringAt(value: Json, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(path, `expected a string, got ${describe(value)}`);
  return value;
}

export function int64At(value: Json, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && INT64_RE.test(value)) return Number(value);
  return fail(path, `expected an int64 as a decimal string or number, got ${describe(value)}`);
}

/**
 * An int64 of nanoseconds as high * 1e9 + low, both exact: a decimal string of 19 digits is not
 * exact as one double (it holds them to 256), and durations are differences of two of them.
 */
export function nanosAt(value: Json, path: string): { high: number; low: number } {
  if (typeof value === 'string' && value.length > 9 && value[0] !== '-' && INT64_RE.test(value))
    return { high: Number(value.slice(0, -9)), low: Number(value.slice(-9)) };
  const n = int64At(value, path);
  const high = Math.floor(n / 1e9);
  return { high, low: n - high * 1e9 };
}

export function enumAt(value: Json, names: Record<string, number>, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && value in names) return names[value]!;
  return fail(path, `expected an enum integer, got ${describe(value)}`);
}

export function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

export function readAttributes(list: Json, path: string, max: number, state: DecodeState): Attributes {
  const attributes: Attributes = {};
  let count = 0;
  arrayAt(list, path).forEach((item, i) => {
    const kv = objectAt(item, `${path}[${i}]`);
    const key = stringAt(kv.key, `${path}[${i}].key`);
    if (!Object.hasOwn(attributes, key)) {
      if (count >= max) {
        state.droppedAttributes++;
        return;
      }
      count++;
      state.charge(DECODED_COST.attribute + key.length);
    }
    const value =
      kv.value === undefined || kv.value === null ? null : readAnyValue(kv.value, `${path}[${i}].value`, state, 0);
    setAttribute(attributes, key, value);
  });
  return attributes;
}

export function readAnyValue(raw: Json, path: string, state: DecodeState, depth: number): AttributeValue {
  if (depth > MAX_VALUE_DEPTH) fail(path, `value nested deeper than ${MAX_VALUE_DEPTH} levels`);
  const value = objectAt(raw, path);
  if (value.stringValue !== undefined) {
    const text = limitString(stringAt(value.stringValue, `${path}.stringValue`), state.limits, state);
    state.charge(text.length);
    return text;
  }
  if (value.intValue !== undefined) return int64At(value.intValue, `${path}.intValue`);
  if (value.doubleValue !== undefined) {
    const double = value.doubleValue;
    if (typeof double === 'number') return double;
    if (typeof double === 'string' && double.trim() !== '' && !Number.isNaN(Number(double))) return Number(double);
    return fail(`${path}.doubleValue`, `expected a number, got ${describe(double)}`);
  }
  if (value.boolValue !== undefined) {
    if (typeof value.boolValue !== 'boolean')
      fail(`${path}.boolValue`, `expected a boolean, got ${describe(value.boolValue)}`);
    return value.boolValue;
  }
  if (value.arrayValue !== undefined) {
    const array = objectAt(value.arrayValue, `${path}.arrayValue`);
    const items = arrayAt(array.values, `${path}.arrayValue.values`);
    state.charge(DECODED_COST.container + items.length * DECODED_COST.element);
    return items.map((item, i) => readAnyValue(item, `${path}.arrayValue.values[${i}]`, state, depth + 1));
  }
  if (value.kvlistValue !== undefined) {
    const kvlist = objectAt(value.kvlistValue, `${path}.kvlistValue`);
    const object: Attributes = {};
    state.charge(DECODED_COST.container);
    arrayAt(kvlist.values, `${path}.kvlistValue.values`).forEach((item, i) => {
      const kv = objectAt(item, `${path}.kvlistValue.values[${i}]`);
      const key = stringAt(kv.key, `${path}.kvlistValue.values[${i}].key`);
      state.charge(DECODED_COST.element + key.length);
      setAttribute(
        object,
        key,
        kv.value === undefined || kv.value === null
          ? null
          : readAnyValue(kv.value, `${path}.kvlistValue.values[${i}].value`, state, depth + 1),
      );
    });
    return object;
  }
  if (value.bytesValue !== undefined) {
    const text = stringAt(value.bytesValue, `${path}.bytesValue`);
    state.charge(text.length);
    return text;
  }
  return null;
}
