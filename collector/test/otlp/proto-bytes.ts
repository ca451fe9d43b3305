// Protobuf bytes by hand, for tests that need bodies no SDK would produce (millions of empty
// messages, events past every SDK limit).

export function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** A length-delimited field. */
export function field(number: number, payload: Buffer | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
}

export function fixed64Field(number: number, value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(value);
  return Buffer.concat([varint((number << 3) | 1), out]);
}

/** A KeyValue message with a string value. */
export function keyValue(key: string, value: string): Buffer {
  return Buffer.concat([field(1, key), field(2, field(1, value))]);
}

export interface ProtoSpanParts {
  traceId?: Buffer;
  spanId?: Buffer;
  name?: string;
  startNs?: bigint;
  /** KeyValue messages. */
  attributes?: Buffer[];
  /** Event messages. */
  events?: Buffer[];
}

export function protoSpan(parts: ProtoSpanParts = {}): Buffer {
  const start = parts.startNs ?? BigInt(Date.now()) * 1_000_000n;
  return Buffer.concat([
    field(1, parts.traceId ?? Buffer.alloc(16, 0xab)),
    field(2, parts.spanId ?? Buffer.alloc(8, 0xcd)),
    field(5, parts.name ?? 'span'),
    fixed64Field(7, start),
    fixed64Field(8, (start + 1_000_000n) % 2n ** 64n),
    ...(parts.attributes ?? []).map((kv) => field(9, kv)),
    ...(parts.events ?? []).map((event) => field(11, event)),
  ]);
}

export function protoEvent(name: string, attributes: Buffer[] = []): Buffer {
  return Buffer.concat([
    fixed64Field(1, BigInt(Date.now()) * 1_000_000n),
    field(2, name),
    ...attributes.map((kv) => field(3, kv)),
  ]);
}

/** An ExportTraceServiceRequest with one resource and one scope around `spans`. */
export function protoRequest(spans: Buffer[]): Buffer {
  return field(1, field(2, Buffer.concat(spans.map((s) => field(2, s)))));
}
