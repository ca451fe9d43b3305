// Property-based fuzzing of both decoders: whatever the bytes, nothing escapes but an
// OtlpDecodeError, and what a request decodes to stays within its memory budget.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJsonTraces } from '../../src/otlp/decode-json.ts';
import { DEFAULT_DECODE_LIMITS } from '../../src/otlp/decode-limits.ts';
import { decodeProtobufTraces } from '../../src/otlp/decode-protobuf.ts';
import { type DecodeLimits, type DecodeResult, OtlpDecodeError } from '../../src/otlp/types.ts';
import { field, fixed64Field, keyValue, protoEvent, protoRequest, protoSpan, varint } from './proto-bytes.ts';

// Small limits, so that random inputs reach them.
const LIMITS: DecodeLimits = {
  ...DEFAULT_DECODE_LIMITS,
  maxAttributesPerSpan: 8,
  maxAttributesPerEvent: 4,
  maxAttributeValueLength: 64,
  maxEventsPerSpan: 4,
  maxResourceSpans: 8,
  maxScopeSpans: 16,
  maxSpans: 32,
  maxDecodedBytes: 64 * 1024,
};
const RUNS = 1500;

/** Decodes, and fails the property on anything but a result or a decode error. */
function decodeOrRefuse(decode: () => DecodeResult): void {
  let result: DecodeResult;
  try {
    result = decode();
  } catch (error) {
    if (error instanceof OtlpDecodeError) {
      expect([400, 413]).toContain(error.status);
      expect(error.message.length).toBeGreaterThan(0);
      return;
    }
    throw error;
  }
  // Plain checks, not expect(): they run for every span of thousands of cases.
  const broken = (what: string) => {
    throw new Error(`decoded request breaks a limit: ${what}`);
  };
  if (result.decodedBytes > LIMITS.maxDecodedBytes) broken('memory budget');
  if (result.spanCount + result.rejectedSpans > LIMITS.maxSpans) broken('spans per request');
  for (const resource of result.resourceSpans)
    for (const scope of resource.scopeSpans)
      for (const span of scope.spans) {
        if (span.events.length > LIMITS.maxEventsPerSpan) broken('events per span');
        if (Object.keys(span.attributes).length > LIMITS.maxAttributesPerSpan) broken('attributes per span');
        if (!/^[0-9a-f]{32}$/.test(span.traceId)) broken(`trace id ${span.traceId}`);
      }
}

const text = fc.string({ maxLength: 80 });
const kv = fc.tuple(text, text).map(([k, v]) => keyValue(k, v));
const span = fc
  .record({
    traceId: fc.uint8Array({ minLength: 0, maxLength: 20 }),
    spanId: fc.uint8Array({ minLength: 0, maxLength: 10 }),
    name: text,
    startNs: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    attributes: fc.array(kv, { maxLength: 12 }),
    events: fc.array(
      fc.tuple(text, fc.array(kv, { maxLength: 6 })).map(([n, a]) => protoEvent(n, a)),
      { maxLength: 6 },
    ),
  })
  .map((parts) => protoSpan({ ...parts, traceId: Buffer.from(parts.traceId), spanId: Buffer.from(parts.spanId) }));
/** Well-formed requests, then damaged: bytes flipped, cut, or spliced with noise. */
const protobufBody = fc
  .tuple(
    fc.array(span, { maxLength: 40 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
    fc.uint8Array({ maxLength: 64 }),
  )
  .map(([spans, flips, cut, noise]) => {
    const body = Buffer.concat([protoRequest(spans), Buffer.from(noise)]);
    for (const [at, byte] of flips) if (body.length > 0) body[at % body.length] = byte;
    return cut === undefined || body.length === 0 ? body : body.subarray(0, cut % body.length);
  });

describe('the protobuf decoder under fuzzing', () => {
  it('answers every damaged request with a result or a decode error', () => {
    fc.assert(
      fc.property(protobufBody, (body) => decodeOrRefuse(() => decodeProtobufTraces(body, LIMITS))),
      { numRuns: RUNS },
    );
  });

  it('answers random bytes and deep nesting with a result or a decode error', () => {
    const nested = fc.integer({ min: 1, max: 200 }).map((depth) => {
      let value = field(1, 'leaf');
      for (let i = 0; i < depth; i++) value = field(5, field(1, value));
      return protoRequest([protoSpan({ attributes: [Buffer.concat([field(1, 'k'), field(2, value)])] })]);
    });
    const repeated = fc
      .tuple(fc.constantFrom(field(1, ''), field(2, ''), fixed64Field(7, 1n), varint(8)), fc.nat({ max: 5000 }))
      .map(([unit, n]) => Buffer.concat(Array.from({ length: n }, () => unit)));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }).map(Buffer.from), nested, repeated), (body) =>
        decodeOrRefuse(() => decodeProtobufTraces(body, LIMITS)),
      ),
      { numRuns: RUNS },
    );
  });
});

const anyJsonValue = fc.jsonValue({ maxDepth: 2 });
const jsonAttribute = fc.record(
  {
    key: fc.oneof(text, anyJsonValue),
    value: fc.oneof(
      fc.record({ stringValue: fc.oneof(text, anyJsonValue) }),
      fc.record({ intValue: fc.oneof(fc.integer().map(String), anyJsonValue) }),
      fc.record({ doubleValue: fc.oneof(fc.double(), text) }),
      fc.record({ arrayValue: fc.record({ values: fc.array(anyJsonValue, { maxLength: 4 }) }) }),
      fc.record({ kvlistValue: anyJsonValue }),
      anyJsonValue,
    ),
  },
  { requiredKeys: [] },
);
const jsonSpan = fc.record(
  {
    traceId: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), anyJsonValue),
    spanId: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), anyJsonValue),
    name: fc.oneof(text, anyJsonValue),
    kind: fc.oneof(fc.integer(), fc.constantFrom('SPAN_KIND_CLIENT', 'nope'), anyJsonValue),
    startTimeUnixNano: fc.oneof(fc.bigInt({ min: -(10n ** 21n), max: 10n ** 21n }).map(String), anyJsonValue),
    attributes: fc.oneof(fc.array(jsonAttribute, { maxLength: 12 }), anyJsonValue),
    events: fc.array(fc.record({ name: text, attributes: fc.array(jsonAttribute, { maxLength: 6 }) }), {
      maxLength: 6,
    }),
    status: fc.oneof(fc.record({ code: fc.oneof(fc.integer(), anyJsonValue) }), anyJsonValue),
  },
  { requiredKeys: [] },
);
const jsonBody = fc
  .record(
    {
      resourceSpans: fc.array(
        fc.record(
          {
            resource: fc.oneof(fc.record({ attributes: fc.array(jsonAttribute, { maxLength: 4 }) }), anyJsonValue),
            scopeSpans: fc.array(
              fc.record({ scope: anyJsonValue, spans: fc.array(jsonSpan, { maxLength: 6 }) }, { requiredKeys: [] }),
              { maxLength: 3 },
            ),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 4 },
      ),
    },
    { requiredKeys: [] },
  )
  .chain((request) =>
    fc
      .tuple(fc.constant(JSON.stringify(request)), fc.option(fc.nat(), { nil: undefined }))
      .map(([json, cut]) => (cut === undefined ? json : json.slice(0, cut % (json.length + 1)))),
  );

describe('the JSON decoder under fuzzing', () => {
  it('answers every shape of OTLP/JSON, whole or cut short, with a result or a decode error', () => {
    fc.assert(
      fc.property(jsonBody, (body) => decodeOrRefuse(() => decodeJsonTraces(body, LIMITS))),
      { numRuns: RUNS },
    );
  });

  it('answers any JSON value and any string with a result or a decode error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyJsonValue.map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 200 }),
        ),
        (body) => decodeOrRefuse(() => decodeJsonTraces(body, LIMITS)),
      ),
      { numRuns: RUNS },
    );
  });
});
