// OTLP/JSON ExportTraceServiceRequest → DecodedSpan, following the OTLP JSON mapping: hex ids,
// 64-bit integers as decimal strings (numbers accepted too), enums as integers (names accepted
// too), unknown fields ignored. A value of the wrong type fails with its JSON path.

import { DECODED_COST, DecodeState, durationMsOf } from './decode-state.ts';
import {
  arrayAt,
  enumAt,
  int64At,
  nanosAt,
  parseJsonBody,
  type JsonObject,
  objectAt,
  readAttributes,
  stringAt,
} from './json-values.ts';
import { normalizeParentId } from './span-ids.ts';
import type { DecodeLimits, DecodeResult, DecodedResourceSpans, DecodedSpan } from './types.ts';

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

export function decodeJsonTraces(body: Buffer | string, limits: DecodeLimits): DecodeResult {
  const state = new DecodeState(limits);
  const root = parseJsonBody(body, state);
  const request = objectAt(root, '(root)');
  const resourceSpans: DecodedResourceSpans[] = arrayAt(request.resourceSpans, 'resourceSpans').map((item, r) => {
    const path = `resourceSpans[${r}]`;
    state.enterResource();
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
        state.enterScope();
        const ss = objectAt(scopeItem, scopePath);
        const scope = ss.scope === undefined || ss.scope === null ? {} : objectAt(ss.scope, `${scopePath}.scope`);
        const spans: DecodedSpan[] = [];
        arrayAt(ss.spans, `${scopePath}.spans`).forEach((spanItem, i) => {
          state.enterItem();
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
  const start = nanosAt(span.startTimeUnixNano, `${path}.startTimeUnixNano`);
  const end = nanosAt(span.endTimeUnixNano, `${path}.endTimeUnixNano`);
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
    startMs: start.high * 1e3 + start.low / 1e6,
    durationMs: durationMsOf(start.high, start.low, end.high, end.low, 1e9),
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
