// The decode stage: a request body in either OTLP wire format → the signal's decoded shape. Throws
// OtlpDecodeError (a 400 / INVALID_ARGUMENT, saying what was wrong) for a body that cannot be read.

import { decodeJsonLogs } from './decode-logs-json.ts';
import { decodeProtobufLogs } from './decode-logs-protobuf.ts';
import { decodeJsonTraces } from './decode-json.ts';
import { decodeJsonMetrics } from './decode-metrics-json.ts';
import { decodeProtobufMetrics } from './decode-metrics-protobuf.ts';
import { decodeProtobufTraces } from './decode-protobuf.ts';
import type { WireFormat } from './encode-response.ts';
import type { DecodeLimits, DecodeResult, DecodedLogs, DecodedMetrics } from './types.ts';

export function decodeTraces(format: WireFormat, body: Buffer, limits: DecodeLimits): DecodeResult {
  return format === 'protobuf' ? decodeProtobufTraces(body, limits) : decodeJsonTraces(body, limits);
}

export function decodeLogs(format: WireFormat, body: Buffer, limits: DecodeLimits): DecodedLogs {
  return format === 'protobuf' ? decodeProtobufLogs(body, limits) : decodeJsonLogs(body, limits);
}

export function decodeMetrics(format: WireFormat, body: Buffer, limits: DecodeLimits): DecodedMetrics {
  return format === 'protobuf' ? decodeProtobufMetrics(body, limits) : decodeJsonMetrics(body, limits);
}
