// Counts the top-level resource_spans of a protobuf ExportTraceServiceRequest as its bytes come
// out of gunzip, so a body of millions of tiny ResourceSpans (64 KB of gzip, 66 MB inflated) is
// refused after its first chunk instead of after inflating all of it: inflating that body cost
// 150 ms of CPU, on the core Postgres needs, once per such request. Only the top level is read
// (each field's length is skipped), so it costs next to nothing on real requests; anything it
// cannot follow is left to the decoder, which reports it.

import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT } from './proto-reader.ts';

type Phase = 'tag' | 'length' | 'varint' | 'skip' | 'lost';

export class ResourceSpansCounter {
  private readonly max: number;
  private readonly onOverLimit: () => never;
  private phase: Phase = 'tag';
  private varint = 0;
  private shift = 0;
  private skipping = 0;
  private count = 0;

  constructor(max: number, onOverLimit: () => never) {
    this.max = max;
    this.onOverLimit = onOverLimit;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && this.phase !== 'lost') {
      if (this.phase === 'skip') {
        const step = Math.min(this.skipping, chunk.length - i);
        this.skipping -= step;
        i += step;
        if (this.skipping === 0) this.phase = 'tag';
        continue;
      }
      const byte = chunk[i++]!;
      if (this.shift > 35) {
        this.phase = 'lost'; // a varint longer than any tag or length: the decoder will say why
        return;
      }
      this.varint += (byte & 0x7f) * 2 ** this.shift;
      this.shift += 7;
      if (byte >= 0x80) continue;
      const value = this.varint;
      this.varint = 0;
      this.shift = 0;
      this.completed(value);
    }
  }

  private completed(value: number): void {
    if (this.phase === 'varint') {
      this.phase = 'tag';
    } else if (this.phase === 'length') {
      this.skipping = value;
      this.phase = value > 0 ? 'skip' : 'tag';
    } else {
      const wire = value % 8;
      if (wire === WIRE_LENGTH) {
        if (Math.floor(value / 8) === 1 && ++this.count > this.max) this.onOverLimit();
        this.phase = 'length';
      } else if (wire === WIRE_VARINT) this.phase = 'varint';
      else if (wire === WIRE_FIXED64 || wire === WIRE_FIXED32) {
        this.skipping = wire === WIRE_FIXED64 ? 8 : 4;
        this.phase = 'skip';
      } else this.phase = 'lost';
    }
  }
}
