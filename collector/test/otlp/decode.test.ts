// The decoders against bytes from the real OpenTelemetry serializers (the ones the exporters use),
// and against a corpus of broken bodies.

import { describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeJsonTraces } from '../../src/otlp/decode-json.ts';
import { decodeProtobufTraces } from '../../src/otlp/decode-protobuf.ts';
import { encodeExportResponse } from '../../src/otlp/encode-response.ts';
import { OtlpDecodeError, type DecodeResult } from '../../src/otlp/types.ts';
import { DEFAULT_DECODE_LIMITS } from '../../src/otlp/decode-limits.ts';

const LIMITS = DEFAULT_DECODE_LIMITS;

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

function realSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'decoder-test', 'service.version': '1.2.3' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('scope-a', '0.9.0');
  tracer.startActiveSpan('root', { kind: SpanKind.SERVER, attributes: { 'tenant.id': 'acme' } }, (root) => {
    const child = tracer.startSpan('chat gpt-4o', {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.usage.input_tokens': 1234,
        'big.int': 2 ** 40,
        'neg.int': -7,
        ratio: 0.25,
        streaming: true,
        reasons: ['stop', 'length'],
        counts: [1, 2, 3],
        'unicode.text': 'héllo 😀',
      },
    });
    child.addEvent('gen_ai.first_chunk', { index: 1 });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'overloaded' });
    child.end();
    root.end();
  });
  return exporter.getFinishedSpans();
}

function expectMatchesSpans(decoded: DecodeResult, spans: ReadableSpan[]): void {
  expect(decoded.spanCount).toBe(2);
  expect(decoded.rejectedSpans).toBe(0);
  const [resourceSpans] = decoded.resourceSpans;
  expect(resourceSpans!.resource).toMatchObject({ 'service.name': 'decoder-test', 'service.version': '1.2.3' });
  const scope = resourceSpans!.scopeSpans[0]!;
  expect(scope).toMatchObject({ scopeName: 'scope-a', scopeVersion: '0.9.0' });
  const byName = new Map(scope.spans.map((s) => [s.name, s]));
  for (const original of spans) {
    const span = byName.get(original.name)!;
    expect(span.traceId).toBe(original.spanContext().traceId);
    expect(span.spanId).toBe(original.spanContext().spanId);
    expect(span.parentSpanId).toBe(original.parentSpanContext?.spanId ?? null);
    expect(span.kind).toBe(original.kind + 1); // the SDK's enum starts at INTERNAL=0, OTLP's at UNSPECIFIED=0
    const startMs = original.startTime[0] * 1000 + original.startTime[1] / 1e6;
    expect(span.startMs).toBeCloseTo(startMs, 3);
  }
  const child = byName.get('chat gpt-4o')!;
  expect(child.attributes).toEqual({
    'gen_ai.usage.input_tokens': 1234,
    'big.int': 2 ** 40,
    'neg.int': -7,
    ratio: 0.25,
    streaming: true,
    reasons: ['stop', 'length'],
    counts: [1, 2, 3],
    'unicode.text': 'héllo 😀',
  });
  expect(child.statusCode).toBe(2);
  expect(child.statusMessage).toBe('overloaded');
  expect(child.events).toEqual([expect.objectContaining({ name: 'gen_ai.first_chunk', attributes: { index: 1 } })]);
  expect(child.durationMs).toBeGreaterThanOrEqual(0);
}

describe('decoding real exporter bytes', () => {
  it('decodes the protobuf the OTLP proto exporter sends', () => {
    const spans = realSpans();
    const body = ProtobufTraceSerializer.serializeRequest(spans)!;
    expectMatchesSpans(decodeProtobufTraces(body, LIMITS), spans);
  });

  it('decodes the JSON the OTLP http exporter sends', () => {
    const spans = realSpans();
    const body = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!);
    expectMatchesSpans(decodeJsonTraces(body, LIMITS), spans);
  });

  it("gives a span's duration to the nanosecond, which its timestamps as doubles are not", () => {
    // 2025-12-18: nanoseconds since 1970 as one double are held to 256 ns; the difference of two
    // such doubles read this 90 ms span as 90.000244 ms.
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('clock');
    tracer.startSpan('ninety', { startTime: [1766030482, 460044107] }).end([1766030482, 550044107]);
    tracer.startSpan('one ns', { startTime: [1766030482, 999999999] }).end([1766030483, 0]);
    const spans = exporter.getFinishedSpans();
    const json = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!);
    for (const decoded of [
      decodeProtobufTraces(ProtobufTraceSerializer.serializeRequest(spans)!, LIMITS),
      decodeJsonTraces(json, LIMITS),
    ]) {
      const byName = Object.fromEntries(decoded.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => [s.name, s]));
      expect(byName.ninety!.durationMs).toBe(90);
      expect(byName['one ns']!.durationMs).toBe(0.000001);
      expect(byName.ninety!.startMs).toBeCloseTo(1766030482460.044, 3);
    }
  });
});

describe('JSON mapping leniency', () => {
  const span = (fields: Record<string, unknown>) =>
    JSON.stringify({
      resourceSpans: [
        { scopeSpans: [{ spans: [{ traceId: 'AB'.repeat(16), spanId: 'CD'.repeat(8), name: 'x', ...fields }] }] },
      ],
    });

  it('accepts int64 as strings or numbers, enums as ints or names, upper-case hex, unknown fields', () => {
    const decoded = decodeJsonTraces(
      span({
        startTimeUnixNano: 1_700_000_000_000_000_000,
        endTimeUnixNano: '1700000000500000000',
        kind: 'SPAN_KIND_CLIENT',
        status: { code: 'STATUS_CODE_ERROR' },
        attributes: [
          { key: 'a', value: { intValue: '25' } },
          { key: 'b', value: { intValue: 26 } },
          { key: 'c', value: { doubleValue: '1.5' } },
          { key: 'd', value: { kvlistValue: { values: [{ key: 'inner', value: { boolValue: false } }] } } },
          { key: 'e', value: {} },
        ],
        someFutureField: { whatever: 1 },
      }),
      LIMITS,
    );
    const [decodedSpan] = decoded.resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(decodedSpan).toMatchObject({ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), kind: 3, statusCode: 2 });
    expect(decodedSpan!.durationMs).toBe(500);
    expect(decodedSpan!.attributes).toEqual({ a: 25, b: 26, c: 1.5, d: { inner: false }, e: null });
  });

  it('takes the duration of a span that ends before it starts, or has no end, as unknown', () => {
    // The SDK's exporters clamp a backwards end to the start; another sender may not.
    const durationOf = (fields: Record<string, unknown>) =>
      decodeJsonTraces(span(fields), LIMITS).resourceSpans[0]!.scopeSpans[0]!.spans[0]!.durationMs;
    expect(durationOf({ startTimeUnixNano: '1766030483000000000', endTimeUnixNano: '1766030482000000000' })).toBeNull();
    expect(durationOf({ startTimeUnixNano: '1766030483000000000' })).toBeNull();
    expect(durationOf({ startTimeUnixNano: '1766030483000000000', endTimeUnixNano: '1766030483000000000' })).toBe(0);
  });

  it('keeps a "__proto__" attribute as data', () => {
    const decoded = decodeJsonTraces(span({ attributes: [{ key: '__proto__', value: { stringValue: 'x' } }] }), LIMITS);
    const attributes = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(JSON.stringify(attributes)).toBe('{"__proto__":"x"}');
  });
});

describe('bad bodies', () => {
  const goodProto = () => Buffer.from(ProtobufTraceSerializer.serializeRequest(realSpans())!);

  it('rejects protobuf cut short at any point with a clear message', () => {
    const body = goodProto();
    let failures = 0;
    for (let cut = 1; cut < body.length; cut += 7) {
      try {
        decodeProtobufTraces(body.subarray(0, cut), LIMITS);
      } catch (error) {
        expect(error).toBeInstanceOf(OtlpDecodeError);
        expect((error as Error).message).toMatch(/^invalid protobuf body: /);
        failures++;
      }
    }
    // Some cuts land exactly between two fields and are valid (shorter) messages; most are not.
    expect(failures).toBeGreaterThan(body.length / 7 / 2);
  });

  it('rejects a length prefix that claims more bytes than the body has, without allocating it', () => {
    const body = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x01]);
    expect(() => decodeProtobufTraces(body, LIMITS)).toThrow(/runs past the end/);
  });

  it('rejects wrong wire types and the deprecated group wire types', () => {
    expect(() => decodeProtobufTraces(Buffer.from([0x08, 0x01]), LIMITS)).toThrow(/resource_spans has wire type 0/);
    expect(() => decodeProtobufTraces(Buffer.from([0x13]), LIMITS)).toThrow(/unsupported wire type 3/);
  });

  it('rejects invalid UTF-8 in a protobuf string field', () => {
    const spanName = Buffer.from([0x2a, 0x02, 0xff, 0xfe]); // Span.name = <ff fe>
    const span = Buffer.concat([Buffer.from([0x12, spanName.length]), spanName]);
    const scope = Buffer.concat([Buffer.from([0x12, span.length]), span]);
    const body = Buffer.concat([Buffer.from([0x0a, scope.length]), scope]);
    expect(() => decodeProtobufTraces(body, LIMITS)).toThrow(/not valid UTF-8/);
  });

  it('treats an empty protobuf body as an empty request, and an empty JSON body as an error', () => {
    expect(decodeProtobufTraces(Buffer.alloc(0), LIMITS).spanCount).toBe(0);
    expect(decodeJsonTraces('{}', LIMITS).spanCount).toBe(0);
    expect(() => decodeJsonTraces('', LIMITS)).toThrow(/invalid JSON body/);
  });

  it('names the JSON path of a value of the wrong type', () => {
    const cases: [unknown, RegExp][] = [
      [{ resourceSpans: 'nope' }, /resourceSpans: expected an array/],
      [
        { resourceSpans: [{ scopeSpans: [{ spans: [42] }] }] },
        /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: expected an object/,
      ],
      [
        { resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: 'abc' }] }] }] },
        /spans\[0\]\.startTimeUnixNano: expected an int64/,
      ],
      [
        { resourceSpans: [{ scopeSpans: [{ spans: [{ attributes: [{ key: 'k', value: { boolValue: 'yes' } }] }] }] }] },
        /attributes\[0\]\.value\.boolValue: expected a boolean/,
      ],
      [{ resourceSpans: [{ scopeSpans: [{ spans: [{ kind: 'SIDEWAYS' }] }] }] }, /kind: expected an enum/],
    ];
    for (const [body, message] of cases) expect(() => decodeJsonTraces(JSON.stringify(body), LIMITS)).toThrow(message);
  });

  it('rejects only the spans with invalid ids and says why', () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'good' },
                { traceId: 'ab'.repeat(5), spanId: 'cd'.repeat(8), name: 'short trace' },
                { traceId: '00'.repeat(16), spanId: 'cd'.repeat(8), name: 'zero trace' },
                { traceId: 'ab'.repeat(16), spanId: 'zz'.repeat(8), name: 'not hex' },
                { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), parentSpanId: 'ee', name: 'bad parent' },
              ],
            },
          ],
        },
      ],
    });
    const decoded = decodeJsonTraces(body, LIMITS);
    expect(decoded.spanCount).toBe(1);
    expect(decoded.rejectedSpans).toBe(4);
    expect(decoded.rejectionReasons.join('\n')).toMatch(
      /traceId must be 16 bytes[\s\S]*all zeros[\s\S]*spanId must be 8 bytes[\s\S]*parentSpanId/,
    );
  });

  it('applies attribute count and length limits and counts what they cut', () => {
    const attributes = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'v'.repeat(50) } }));
    const body = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), attributes }] }] }],
    });
    const decoded = decodeJsonTraces(body, { ...LIMITS, maxAttributesPerSpan: 4, maxAttributeValueLength: 20 });
    const span = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(Object.keys(span.attributes)).toEqual(['k0', 'k1', 'k2', 'k3']);
    expect(decoded.droppedAttributes).toBe(6);
    expect(decoded.truncatedValues).toBe(4);
    expect((span.attributes.k0 as string).length).toBe(20);
  });

  it('refuses values nested deeper than 32 levels instead of exhausting the stack', () => {
    const depth = 10_000;
    const value = '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"leaf"}' + ']}}'.repeat(depth);
    const body = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${'ab'.repeat(16)}","spanId":"${'cd'.repeat(8)}","attributes":[{"key":"deep","value":${value}}]}]}]}]}`;
    expect(() => decodeJsonTraces(body, LIMITS)).toThrow(/nested deeper than 32 levels/);
    // The same in protobuf: AnyValue{array_value{values: AnyValue{…}}}, built inside out.
    let any: Buffer = Buffer.from([0x0a, 0x01, 0x78]); // string_value "x"
    const wrap = (field: number, payload: Buffer) =>
      Buffer.concat([Buffer.from([(field << 3) | 2]), varint(payload.length), payload]);
    for (let i = 0; i < 200; i++) any = wrap(5, wrap(1, any));
    const kv = Buffer.concat([wrap(1, Buffer.from('deep')), wrap(2, any)]);
    const span = Buffer.concat([wrap(1, Buffer.alloc(16, 0xab)), wrap(2, Buffer.alloc(8, 0xcd)), wrap(9, kv)]);
    const protoBody = wrap(1, wrap(2, wrap(2, span)));
    expect(() => decodeProtobufTraces(protoBody, LIMITS)).toThrow(/nested deeper than 32 levels/);
  });
});

describe('responses', () => {
  it('encodes partial success in both wire formats', () => {
    expect(JSON.parse(encodeExportResponse('json', { rejected: 3, errorMessage: 'bad ids' }) as string)).toEqual({
      partialSuccess: { rejectedSpans: '3', errorMessage: 'bad ids' },
    });
    expect(encodeExportResponse('json')).toBe('{}');
    const proto = Buffer.from(encodeExportResponse('protobuf', { rejected: 3, errorMessage: 'x' }) as Uint8Array);
    // field 1 (partial_success) { field 1 varint 3, field 2 "x" }
    expect([...proto]).toEqual([0x0a, 0x05, 0x08, 0x03, 0x12, 0x01, 0x78]);
  });
});
