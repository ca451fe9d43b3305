// The few protobuf wire-format writers the collector's responses need: varints and
// length-delimited fields. Responses are tiny, so plain arrays and Buffer.concat do.

export function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return bytes;
}

export function lengthDelimited(field: number, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(payload.length)]), payload]);
}

export function varintField(field: number, value: number): Buffer {
  return Buffer.from([(field << 3) | 0, ...varint(value)]);
}
