// Admission before decode. A request is let in only if the spans it will most likely hold fit in
// the write queue and what it will decode to fits in the memory left for requests in flight; this
// is decided from its headers (size, format, encoding), so a request that will be refused costs
// almost nothing: no body read into memory, no decode, no normalise. The estimate is learned from
// the requests decoded so far (spans and decoded bytes per wire byte, per format and encoding),
// and corrected to the real figures once the request has decoded.

import { OVERLOADED_RETRY_SECONDS } from './ingest-failure.ts';

export interface AdmissionOptions {
  /** The write queue's capacity in spans (VIGIL_QUEUE_MAX_SPANS). */
  maxQueueSpans: number;
  /** Estimated decoded bytes of all requests between admission and the write queue (VIGIL_MAX_INFLIGHT_BYTES). */
  maxInflightBytes: number;
  /** No request holds more (VIGIL_MAX_SPANS_PER_REQUEST, VIGIL_MAX_REQUEST_MEMORY_BYTES). */
  maxSpansPerRequest: number;
  maxDecodedBytesPerRequest: number;
}

export interface RequestShape {
  /**
   * The OTLP signal: each learns its own ratios (a log request may hold few spans, a metric request
   * none: its points are not queued as spans). Traces when not said.
   */
  signal?: 'traces' | 'logs' | 'metrics';
  /** Content-Length, or null for a chunked body. */
  wireBytes: number | null;
  format: 'json' | 'protobuf';
  gzip: boolean;
}

export interface AdmissionTicket {
  /**
   * Reserves room to decompress the body into, before it is decompressed (so concurrent requests
   * cannot all count on the same free memory), and says how many output bytes that room allows:
   * decompression keeps its chunks and their concatenation, twice the output, at the end.
   */
  reserveDecompression(maxOutputBytes: number): number;
  /** Sets what this request holds to `bytes` (its body, once decompressed). */
  resize(bytes: number): void;
  /** Replaces the estimate by what the request really decoded to. */
  settle(spans: number, decodedBytes: number): void;
  /** The request's spans are in the write queue (or it failed): its reservation ends. Idempotent. */
  release(): void;
}

export type AdmissionResult =
  | { admitted: true; ticket: AdmissionTicket }
  | { admitted: false; reason: string; retryAfterSeconds: number };

interface Ratio {
  spansPerByte: number;
  decodedPerByte: number;
}

// Priors until requests have been seen: an OTLP span is rarely under 60 bytes gzipped or 250 bytes
// plain; decoded, a span costs 2-10 times its wire bytes. Over-estimating only refuses earlier.
const PRIORS: Record<string, Ratio> = {
  'protobuf:gzip': { spansPerByte: 1 / 60, decodedPerByte: 12 },
  'protobuf:identity': { spansPerByte: 1 / 250, decodedPerByte: 3 },
  'json:gzip': { spansPerByte: 1 / 80, decodedPerByte: 16 },
  'json:identity': { spansPerByte: 1 / 600, decodedPerByte: 3 },
};
const LEARNING_RATE = 0.2;
const TYPICAL_CHUNKED_BYTES = 64 * 1024;

export class Admission {
  private readonly options: AdmissionOptions;
  private readonly queuedSpans: () => number;
  private readonly ratios = new Map<string, Ratio>(
    ['traces', 'logs', 'metrics'].flatMap((signal) =>
      Object.entries(PRIORS).map(([k, v]) => [`${signal}:${k}`, { ...v }] as [string, Ratio]),
    ),
  );
  private reservedSpans = 0;
  private reservedBytes = 0;

  constructor(options: AdmissionOptions, queuedSpans: () => number) {
    this.options = options;
    this.queuedSpans = queuedSpans;
  }

  /** Spans and bytes reserved by requests admitted and not yet queued, for /metrics. */
  get reserved(): { spans: number; bytes: number } {
    return { spans: this.reservedSpans, bytes: this.reservedBytes };
  }

  admit(shape: RequestShape): AdmissionResult {
    const key = `${shape.signal ?? 'traces'}:${shape.format}:${shape.gzip ? 'gzip' : 'identity'}`;
    const ratio = this.ratios.get(key)!;
    const wireBytes = shape.wireBytes ?? TYPICAL_CHUNKED_BYTES;
    let spans = Math.min(this.options.maxSpansPerRequest, Math.ceil(wireBytes * ratio.spansPerByte));
    let bytes = Math.min(this.options.maxDecodedBytesPerRequest, Math.ceil(wireBytes * ratio.decodedPerByte));
    const waiting = this.queuedSpans() + this.reservedSpans;
    // A request always gets in when nothing else waits, however large it looks.
    if (waiting > 0 && waiting + spans > this.options.maxQueueSpans)
      return {
        admitted: false,
        reason: `ingest queue full (${waiting} spans waiting, this request likely holds ${spans}), retry later`,
        retryAfterSeconds: OVERLOADED_RETRY_SECONDS,
      };
    if (this.reservedBytes > 0 && this.reservedBytes + bytes > this.options.maxInflightBytes)
      return {
        admitted: false,
        reason: `too many requests decoding at once (${Math.round(this.reservedBytes / 1048576)} MiB in flight), retry later`,
        retryAfterSeconds: OVERLOADED_RETRY_SECONDS,
      };
    this.reservedSpans += spans;
    this.reservedBytes += bytes;
    let released = false;
    return {
      admitted: true,
      ticket: {
        reserveDecompression: (maxOutputBytes) => {
          if (released) return maxOutputBytes;
          const alone = this.reservedBytes === bytes;
          const room = bytes + Math.max(0, this.options.maxInflightBytes - this.reservedBytes);
          // Alone, a request may always use the configured limit: otherwise a budget under twice
          // VIGIL_MAX_DECOMPRESSED_BYTES would refuse the largest legal body forever.
          const output = alone ? maxOutputBytes : Math.min(maxOutputBytes, Math.floor(room / 2));
          this.reservedBytes += 2 * output - bytes;
          bytes = 2 * output;
          return output;
        },
        resize: (held) => {
          if (released) return;
          this.reservedBytes += held - bytes;
          bytes = held;
        },
        settle: (actualSpans, decodedBytes) => {
          if (released) return;
          if (shape.wireBytes !== null && shape.wireBytes > 0)
            this.learn(ratio, shape.wireBytes, actualSpans, decodedBytes);
          this.reservedSpans += actualSpans - spans;
          spans = actualSpans;
          // The body stays in memory beside what it decoded to until the request is queued.
          const held = Math.max(bytes, decodedBytes);
          this.reservedBytes += held - bytes;
          bytes = held;
        },
        release: () => {
          if (released) return;
          released = true;
          this.reservedSpans -= spans;
          this.reservedBytes -= bytes;
        },
      },
    };
  }

  private learn(ratio: Ratio, wireBytes: number, spans: number, decodedBytes: number): void {
    ratio.spansPerByte += LEARNING_RATE * (spans / wireBytes - ratio.spansPerByte);
    ratio.decodedPerByte += LEARNING_RATE * (decodedBytes / wireBytes - ratio.decodedPerByte);
  }
}
