// The top-level resource_spans count, fed chunk by chunk as gunzip inflates a body.

import { describe, expect, it } from 'vitest';
import { ResourceSpansCounter } from '../../src/otlp/resource-spans-counter.ts';
import { field, fixed64Field, protoRequest, protoSpan, varint } from './proto-bytes.ts';

const overLimit = (): never => {
  throw new Error('over');
};

function feed(bytes: Buffer, max: number, chunk: number): boolean {
  const counter = new ResourceSpansCounter(max, overLimit);
  try {
    for (let i = 0; i < bytes.length; i += chunk) counter.push(bytes.subarray(i, i + chunk));
    return false;
  } catch {
    return true;
  }
}

describe('counting resource_spans as the body inflates', () => {
  it('refuses past the limit, however the bytes are cut into chunks', () => {
    const many = Buffer.concat(Array.from({ length: 11 }, () => field(1, protoRequest([protoSpan()]).subarray(2))));
    for (const chunk of [1, 3, 7, 64, many.length]) {
      expect(feed(many, 10, chunk)).toBe(true);
      expect(feed(many, 11, chunk)).toBe(false);
    }
  });

  it('skips what a resource holds, and other top-level fields of any wire type', () => {
    const big = field(1, Buffer.alloc(300_000, 0x0a)); // one ResourceSpans whose bytes look like tags
    const others = Buffer.concat([varint((5 << 3) | 0), varint(300), fixed64Field(6, 1n), field(7, 'x')]);
    expect(feed(Buffer.concat([big, others, big]), 2, 1000)).toBe(false);
    expect(feed(Buffer.concat([big, others, big, big]), 2, 1000)).toBe(true);
  });

  it('stops following a body it cannot read, leaving it to the decoder', () => {
    expect(feed(Buffer.from([0x0f, 0x0a, 0x00, 0x0a, 0x00, 0x0a, 0x00]), 1, 2)).toBe(false);
  });
});
