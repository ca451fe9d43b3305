// Responses in the request's own wire format, as the OTLP/HTTP spec asks: an
// Export{Trace,Logs}ServiceResponse (with partial_success when items were rejected or values
// truncated), or a google.rpc.Status for errors.

import { lengthDelimited, varintField } from './proto-writer.ts';

export type WireFormat = 'json' | 'protobuf';

export interface PartialSuccess {
  /** Spans, log records or data points rejected. */
  rejected: number;
  errorMessage: string;
}

/** The OTLP signals the collector takes. */
export type Signal = 'traces' | 'logs' | 'metrics';

/** partial_success's count field in OTLP JSON; in protobuf it is field 1 for every signal. */
const REJECTED_FIELD: Record<Signal, string> = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
};

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

export function encodeExportResponse(
  format: WireFormat,
  partial?: PartialSuccess,
  signal: Signal = 'traces',
): string | Uint8Array {
  if (format === 'json') {
    return JSON.stringify(
      partial
        ? {
            partialSuccess: { [REJECTED_FIELD[signal]]: String(partial.rejected), errorMessage: partial.errorMessage },
          }
        : {},
    );
  }
  if (!partial) return new Uint8Array(0);
  const inner = Buffer.concat([
    partial.rejected > 0 ? varintField(1, partial.rejected) : new Uint8Array(0),
    lengthDelimited(2, Buffer.from(partial.errorMessage, 'utf8')),
  ]);
  return lengthDelimited(1, inner);
}

export function encodeErrorStatus(format: WireFormat, httpStatus: number, message: string): string | Uint8Array {
  const code = RPC_CODES[httpStatus] ?? 2;
  if (format === 'json') return JSON.stringify({ code, message });
  return Buffer.concat([varintField(1, code), lengthDelimited(2, Buffer.from(message, 'utf8'))]);
}
