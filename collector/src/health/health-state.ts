// What the health thread reads of the ingest thread, without waiting for it: a few numbers in
// shared memory, written by the ingest thread every HEARTBEAT_MS. The heartbeat is the time of
// the last write, so a stalled event loop shows as an old heartbeat.

export const HEARTBEAT_MS = 100;
/** An ingest event loop that has not written its heartbeat for this long is reported as stalled. */
export const STALLED_MS = 5000;

const HEARTBEAT = 0;
const QUEUE_SPANS = 1;
const DATABASE_AVAILABLE = 2;
const RESTARTS = 3;
const SLOTS = 4;

export class HealthState {
  readonly buffer: SharedArrayBuffer;
  private readonly values: Float64Array;

  constructor(buffer = new SharedArrayBuffer(SLOTS * Float64Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.values = new Float64Array(buffer);
  }

  write(state: { queueSpans: number; databaseAvailable: boolean; restarts: number }): void {
    this.values[QUEUE_SPANS] = state.queueSpans;
    this.values[DATABASE_AVAILABLE] = state.databaseAvailable ? 1 : 0;
    this.values[RESTARTS] = state.restarts;
    this.values[HEARTBEAT] = Date.now();
  }

  read(): { heartbeatMs: number; queueSpans: number; databaseAvailable: boolean; restarts: number } {
    return {
      heartbeatMs: this.values[HEARTBEAT]!,
      queueSpans: this.values[QUEUE_SPANS]!,
      databaseAvailable: this.values[DATABASE_AVAILABLE] === 1,
      restarts: this.values[RESTARTS]!,
    };
  }
}
