// The decode limits hold while decoding: a request over one stops early with a 413 that names the
// setting, and what is dropped (events, event attributes) is counted.

import { describe, expect, it } from 'vitest';
import { decodeJsonTraces } from '../../src/otlp/decode-json.ts';
import { DEFAULT_DECODE_LIMITS } from '../../src/otlp/decode-limits.ts';
import { decodeProtobufTraces } from '../../src/otlp/decode-protobuf.ts';
import { type DecodeLimits, OtlpDecodeError } from '../../src/otlp/types.ts';
import { field, keyValue, protoEvent, protoRequest, protoSpan } from './proto-bytes.ts';

function refusal(decode: () => unknown): OtlpDecodeError {
  try {
    decode();
  } catch (error) {
    if (error instanceof OtlpDecodeError) return error;
    throw error;
  }
  throw new Error('expected the decode to be refused');
}

function heapGrowthMb(run: () => void): number {
  const before = process.memoryUsage().heapUsed;
  run();
  return (process.memoryUsage().heapUsed - before) / 1024 / 1024;
}

const spanId = (i: number) => Buffer.from(i.toString(16).padStart(16, '0'), 'hex');

describe('requests over a count limit are refused as they decode', () => {
  it('refuses a protobuf body of millions of empty resourceSpans at the limit, without building them', () => {
    // 0a 00 repeated: the 64 KB gzip body of the report, 33M empty ResourceSpans; 4M here.
    const body = Buffer.alloc(8_000_000);
    for (let i = 0; i < body.length; i += 2) body[i] = 0x0a;
    let error: OtlpDecodeError | undefined;
    const grew = heapGrowthMb(() => {
      error = refusal(() => decodeProtobufTraces(body, DEFAULT_DECODE_LIMITS));
    });
    expect(error!.status).toBe(413);
    expect(error!.message).toContain('more than 1000 resourceSpans');
    expect(error!.message).toContain('VIGIL_MAX_RESOURCE_SPANS');
    expect(grew).toBeLessThan(16);
  });

  it('refuses a JSON body of millions of empty resourceSpans before JSON.parse builds them', () => {
    const body = Buffer.from(`{"resourceSpans":[${Array.from({ length: 4_000_000 }, () => '{}').join(',')}]}`);
    const error = refusal(() => decodeJsonTraces(body, DEFAULT_DECODE_LIMITS));
    expect(error.status).toBe(413);
    expect(error.message).toContain('VIGIL_MAX_REQUEST_MEMORY_BYTES');
  });

  it('refuses a JSON body under the memory budget at the resourceSpans limit', () => {
    const body = Buffer.from(`{"resourceSpans":[${Array.from({ length: 5000 }, () => '{}').join(',')}]}`);
    const error = refusal(() => decodeJsonTraces(body, DEFAULT_DECODE_LIMITS));
    expect(error.status).toBe(413);
    expect(error.message).toContain('VIGIL_MAX_RESOURCE_SPANS');
  });

  it('refuses too many scopeSpans and too many spans, in both formats', () => {
    const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, maxScopeSpans: 3, maxSpans: 5 };
    const scopes = field(1, Buffer.concat(Array.from({ length: 4 }, () => field(2, Buffer.alloc(0)))));
    expect(refusal(() => decodeProtobufTraces(scopes, limits)).message).toContain('VIGIL_MAX_SCOPE_SPANS');
    const spans = protoRequest(Array.from({ length: 6 }, (_, i) => protoSpan({ spanId: spanId(i + 1) })));
    const spansError = refusal(() => decodeProtobufTraces(spans, limits));
    expect(spansError.status).toBe(413);
    expect(spansError.message).toContain('more than 5 spans');
    expect(decodeProtobufTraces(protoRequest([protoSpan()]), limits).spanCount).toBe(1);

    const jsonScopes = JSON.stringify({ resourceSpans: [{ scopeSpans: [{}, {}, {}, {}] }] });
    expect(refusal(() => decodeJsonTraces(jsonScopes, limits)).message).toContain('VIGIL_MAX_SCOPE_SPANS');
    const jsonSpans = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: 6 }, () => ({ name: 'x' })) }] }],
    });
    expect(refusal(() => decodeJsonTraces(jsonSpans, limits)).message).toContain('VIGIL_MAX_SPANS_PER_REQUEST');
  });

  it('refuses a request whose decoded size is over the memory budget, naming the setting', () => {
    const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, maxDecodedBytes: 1024 * 1024 };
    const big = 'x'.repeat(10_000);
    const spans = Array.from({ length: 200 }, (_, i) =>
      protoSpan({ spanId: spanId(i + 1), attributes: [keyValue('payload', big)] }),
    );
    const error = refusal(() => decodeProtobufTraces(protoRequest(spans), limits));
    expect(error.status).toBe(413);
    expect(error.message).toContain('VIGIL_MAX_REQUEST_MEMORY_BYTES');
    // The same content in fewer spans fits and is decoded.
    expect(decodeProtobufTraces(protoRequest(spans.slice(0, 50)), limits).spanCount).toBe(50);
  });
});

describe('events past the limit are dropped and counted', () => {
  it('keeps the first 128 events of a protobuf span with a million, and counts the rest', () => {
    const event = field(11, protoEvent('tick'));
    const base = protoSpan();
    const span = Buffer.concat([base, Buffer.alloc(event.length * 1_000_000)]);
    for (let i = 0; i < 1_000_000; i++) event.copy(span, base.length + i * event.length);
    const decoded = decodeProtobufTraces(protoRequest([span]), DEFAULT_DECODE_LIMITS);
    const stored = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(stored.events).toHaveLength(128);
    expect(decoded.droppedEvents).toBe(1_000_000 - 128);
  });

  it('keeps the first events of a JSON span and counts the rest', () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 'ab'.repeat(16),
                  spanId: 'cd'.repeat(8),
                  name: 'x',
                  events: Array.from({ length: 300 }, (_, i) => ({ name: `e${i}`, timeUnixNano: '1' })),
                },
              ],
            },
          ],
        },
      ],
    });
    const decoded = decodeJsonTraces(body, DEFAULT_DECODE_LIMITS);
    const span = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.events.map((e) => e.name).slice(-1)).toEqual(['e127']);
    expect(decoded.droppedEvents).toBe(172);
  });

  it('limits attributes per event apart from attributes per span', () => {
    const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, maxAttributesPerEvent: 2 };
    const attributes = Array.from({ length: 5 }, (_, i) => keyValue(`k${i}`, 'v'));
    const span = protoSpan({ attributes, events: [protoEvent('e', attributes)] });
    const decoded = decodeProtobufTraces(protoRequest([span]), limits);
    const stored = decoded.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(Object.keys(stored.attributes)).toHaveLength(5);
    expect(Object.keys(stored.events[0]!.attributes)).toEqual(['k0', 'k1']);
    expect(decoded.droppedAttributes).toBe(3);
  });
});
