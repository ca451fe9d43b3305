// OTLP/JSON ExportTraceServiceRequest → DecodedSpan, following the OTLP JSON mapping: hex ids,
// 64-bit integers as decimal strings (numbers accepted too), enums as integers (names accepted
// too), unknown fields ignored. A value of the wrong type fails with its JSON path.

import { MAX_VALUE_DEPTH, limitString, setAttribute } from './attribute-limits.ts';
import { DECODED_COST, DecodeState, endMsOf } from './decode-state.ts';
import { jsonParseCost } from './json-parse-cost.ts';
import { normalizeParentId } from './span-ids.ts';
import {
  OtlpDecodeError,
  type AttributeValue,
  type Attributes,
  type DecodeLimits,
  type DecodeResult,
  type DecodedResourceSpans,
  type DecodedSpan,
} from './types.ts';

type Json = unknown;
type JsonObject = Record<string, Json>;

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const INT64_RE = /^-?\d{1,20}$/;

function fail(path: string, message: string): never {
  throw new OtlpDecodeError(`invalid OTLP JSON: ${path}: ${message}`);
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: Json, path: string): JsonObject {
  if (!isObject(value)) fail(path, `expected an object, got ${describe(value)}`);
  return value;
}

function arrayAt(value: Json, path: string): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`);
  return value;
}

function stringAt(value: Json, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(path, `expected a string, got ${describe(value)}`);
  return value;
}

function int64At(value: Json, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && INT64_RE.test(value)) return Number(value);
  return fail(path, `expected an int64 as a decimal string or number, got ${describe(value)}`);
}

function enumAt(value: Json, names: Record<string, number>, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && value in names) return names[value]!;
  return fail(path, `expected an enum integer, got ${describe(value)}`);
}

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

export function decodeJsonTraces(body: Buffer | string, limits: DecodeLimits): DecodeResult {
  const state = new DecodeState(limits);
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  // JSON.parse builds the whole tree before any of it can be counted, so what it would build is
  // estimated from the text first (a million "{}" cost more than their bytes suggest).
  state.charge(jsonParseCost(bytes, limits.maxDecodedBytes));
  let root: Json;
  try {
    root = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (error) {
    throw new OtlpDecodeError(`invalid JSON body: ${(error as Error).message}`);
  }
  const request = objectAt(root, '(root)');
  const resourceSpans: DecodedResourceSpans[] = arrayAt(request.resourceSpans, 'resourceSpans').map((item, r) => {
    const path = `resourceSpans[${r}]`;
    state.enterResourceSpans();
    const rs = objectAt(item, path);
    const resource = rs.resource === undefined || rs.resource === null ? {} : objectAt(rs.resource, `${path}.resource`);
    return {
      resource: readAttributes(
        resource.attributes,
        `${path}.resource.attributes`,
        state.limits.maxAttributesPerSpan,
        state,
      ),
      scopeSpans: arrayAt(rs.scopeSpans, `${path}.scopeSpans`).map((scopeItem, s) => {
        const scopePath = `${path}.scopeSpans[${s}]`;
        state.enterScopeSpans();
        const ss = objectAt(scopeItem, scopePath);
        const scope = ss.scope === undefined || ss.scope === null ? {} : objectAt(ss.scope, `${scopePath}.scope`);
        const spans: DecodedSpan[] = [];
        arrayAt(ss.spans, `${scopePath}.spans`).forEach((spanItem, i) => {
          state.enterSpan();
          const span = readSpan(objectAt(spanItem, `${scopePath}.spans[${i}]`), `${scopePath}.spans[${i}]`, state);
          if (span) spans.push(span);
        });
        return {
          scopeName: stringAt(scope.name, `${scopePath}.scope.name`),
          scopeVersion: stringAt(scope.version, `${scopePath}.scope.version`),
          spans,
        };
      }),
    };
  });
  return state.result(resourceSpans);
}

function readSpan(span: JsonObject, path: string, state: DecodeState): DecodedSpan | null {
  const traceId = stringAt(span.traceId, `${path}.traceId`).toLowerCase();
  const spanId = stringAt(span.spanId, `${path}.spanId`).toLowerCase();
  const parentSpanId = normalizeParentId(stringAt(span.parentSpanId, `${path}.parentSpanId`).toLowerCase());
  const name = stringAt(span.name, `${path}.name`);
  const startNs = int64At(span.startTimeUnixNano, `${path}.startTimeUnixNano`);
  const endNs = int64At(span.endTimeUnixNano, `${path}.endTimeUnixNano`);
  const status = span.status === undefined || span.status === null ? {} : objectAt(span.status, `${path}.status`);
  const statusMessage = stringAt(status.message, `${path}.status.message`);
  const events = arrayAt(span.events, `${path}.events`);
  if (events.length > state.limits.maxEventsPerSpan)
    state.droppedEvents += events.length - state.limits.maxEventsPerSpan;
  state.charge(name.length + statusMessage.length);
  const decoded: DecodedSpan = {
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: enumAt(span.kind, SPAN_KINDS, `${path}.kind`),
    startMs: startNs / 1e6,
    endMs: endMsOf(startNs, endNs),
    statusCode: enumAt(status.code, STATUS_CODES, `${path}.status.code`),
    statusMessage,
    attributes: readAttributes(span.attributes, `${path}.attributes`, state.limits.maxAttributesPerSpan, state),
    events: events.slice(0, state.limits.maxEventsPerSpan).map((item, e) => {
      const event = objectAt(item, `${path}.events[${e}]`);
      const eventName = stringAt(event.name, `${path}.events[${e}].name`);
      state.charge(DECODED_COST.event + eventName.length);
      return {
        name: eventName,
        timeMs: int64At(event.timeUnixNano, `${path}.events[${e}].timeUnixNano`) / 1e6,
        attributes: readAttributes(
          event.attributes,
          `${path}.events[${e}].attributes`,
          state.limits.maxAttributesPerEvent,
          state,
        ),
      };
    }),
  };
  return state.accept(decoded, path) ? decoded : null;
}

function readAttributes(list: Json, path: string, max: number, state: DecodeState): Attributes {
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

function readAnyValue(raw: Json, path: string, state: DecodeState, depth: number): AttributeValue {
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
