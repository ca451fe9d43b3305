// The decode stage: a request body in either OTLP wire format → DecodeResult. Throws
// OtlpDecodeError (a 400 / INVALID_ARGUMENT, saying what was wrong) for a body that cannot be read.

import { decodeJsonTraces } from './decode-json.ts';
import { decodeProtobufTraces } from './decode-protobuf.ts';
import type { WireFormat } from './encode-response.ts';
import type { DecodeLimits, DecodeResult } from './types.ts';

export function decodeTraces(format: WireFormat, body: Buffer, limits: DecodeLimits): DecodeResult {
  return format === 'protobuf' ? decodeProtobufTraces(body, limits) : decodeJsonTraces(body, limits);
}
