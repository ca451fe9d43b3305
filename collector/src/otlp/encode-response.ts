// Responses in the request's own wire format, as the OTLP/HTTP spec asks: an
// ExportTraceServiceResponse (with partial_success when spans were rejected or values truncated),
// or a google.rpc.Status for errors.

import { lengthDelimited, varintField } from './proto-writer.ts';

export type WireFormat = 'json' | 'protobuf';

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

// google.rpc.Code for the HTTP statuses the collector answers with.
const RPC_CODES: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  405: 12,
  413: 3,
  415: 3,
  429: 8,
  500: 13,
  503: 14,
};

export function encodeExportResponse(format: WireFormat, partial?: PartialSuccess): string | Uint8Array {
  if (format === 'json') {
    return JSON.stringify(
      partial
        ? { partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage } }
        : {},
    );
  }
  if (!partial) return new Uint8Array(0);
  const inner = Buffer.concat([
    partial.rejectedSpans > 0 ? varintField(1, partial.rejectedSpans) : new Uint8Array(0),
    lengthDelimited(2, Buffer.from(partial.errorMessage, 'utf8')),
  ]);
  return lengthDelimited(1, inner);
}

export function encodeErrorStatus(format: WireFormat, httpStatus: number, message: string): string | Uint8Array {
  const code = RPC_CODES[httpStatus] ?? 2;
  if (format === 'json') return JSON.stringify({ code, message });
  return Buffer.concat([varintField(1, code), lengthDelimited(2, Buffer.from(message, 'utf8'))]);
}
