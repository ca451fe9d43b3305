// A minimal protobuf wire-format reader: just what the OTLP trace decoder needs, with bounds checks
// on every read so hostile input fails fast with a clear message instead of reading past the end.

import { TextDecoder } from 'node:util';
import { OtlpDecodeError } from './types.ts';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_FIXED32 = 5;

export class ProtoReader {
  readonly buf: Buffer;
  pos: number;
  private readonly view: DataView;

  constructor(buf: Buffer) {
    this.buf = buf;
    this.pos = 0;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(message: string): never {
    throw new OtlpDecodeError(`invalid protobuf body: ${message} (at byte ${this.pos})`);
  }

  /** A varint that fits in 32 bits unsigned (tags, lengths, enums, counts). */
  uint32(): number {
    const buf = this.buf;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= buf.length) this.fail('truncated varint');
      const byte = buf[this.pos++]!;
      if (shift < 32) result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result > 0xffffffff ? result % 2 ** 32 : result;
      shift += 7;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** An int64 varint as a JS number (exact below 2^53, negative values in two's complement). */
  int64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= buf.length) this.fail('truncated varint');
      const byte = buf[this.pos++]!;
      const bits = byte & 0x7f;
      if (shift < 28) lo += bits * 2 ** shift;
      else if (shift === 28) {
        lo += (bits & 0x0f) * 2 ** 28;
        hi += bits >>> 4;
      } else hi += bits * 2 ** (shift - 32);
      if (byte < 0x80) {
        hi = hi % 2 ** 32;
        if (hi >= 2 ** 31) return -((2 ** 32 - 1 - hi) * 2 ** 32 + (2 ** 32 - lo));
        return hi * 2 ** 32 + lo;
      }
      shift += 7;
    }
    return this.fail('varint longer than 10 bytes');
  }

  bool(): boolean {
    return this.int64() !== 0;
  }

  /** The high and low 32 bits of the last fixed64 read, exact where the double it returned is not. */
  fixed64High = 0;
  fixed64Low = 0;

  /** fixed64 as a double: exact enough for nanosecond timestamps reduced to milliseconds. */
  fixed64(): number {
    if (this.pos + 8 > this.buf.length) this.fail('truncated fixed64');
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    this.fixed64High = hi;
    this.fixed64Low = lo;
    return hi * 4294967296 + lo;
  }

  /** sfixed64 (two's complement) as a JS number, exact below 2^53. */
  sfixed64(): number {
    if (this.pos + 8 > this.buf.length) this.fail('truncated sfixed64');
    const value = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return Number(value);
  }

  /** A zigzag-encoded sint32 varint. */
  sint32(): number {
    const n = this.uint32();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** A repeated scalar field, packed (one length-delimited run) or not (one value per tag). */
  repeated(wireType: number, packedAs: number, read: () => number, into: number[], field: string): void {
    if (wireType === WIRE_LENGTH) {
      const end = this.lengthEnd();
      while (this.pos < end) into.push(read());
      if (this.pos !== end) this.fail(`${field} packed values run past their length`);
    } else {
      this.expect(wireType, packedAs, field);
      into.push(read());
    }
  }

  double(): number {
    if (this.pos + 8 > this.buf.length) this.fail('truncated double');
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** Reads a length prefix and returns the end offset of the field, checked against the buffer. */
  lengthEnd(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.buf.length) this.fail(`length ${length} runs past the end of the body`);
    return end;
  }

  string(): string {
    const end = this.lengthEnd();
    const text = this.buf.toString('utf8', this.pos, end);
    // utf8Slice replaces invalid sequences with U+FFFD; only then is a strict check worth it.
    if (text.includes('\ufffd') && !isValidUtf8(this.buf.subarray(this.pos, end)))
      this.fail('string field is not valid UTF-8');
    this.pos = end;
    return text;
  }

  /** Bytes as lowercase hex (trace and span ids). */
  hex(): string {
    const end = this.lengthEnd();
    // Native and flat: a string built by += is a rope that costs far more memory while it lives.
    const out = this.buf.toString('hex', this.pos, end);
    this.pos = end;
    return out;
  }

  bytesBase64(): string {
    const end = this.lengthEnd();
    const text = this.buf.toString('base64', this.pos, end);
    this.pos = end;
    return text;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.int64();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.buf.length) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE_LENGTH:
        this.pos = this.lengthEnd();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.buf.length) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }

  expect(wireType: number, expected: number, field: string): void {
    if (wireType !== expected) this.fail(`${field} has wire type ${wireType}, expected ${expected}`);
  }
}

let strictDecoder: TextDecoder | undefined;
function isValidUtf8(bytes: Uint8Array): boolean {
  strictDecoder ??= new TextDecoder('utf-8', { fatal: true });
  try {
    strictDecoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
