// COPY data encoded straight into fixed-size buffers as rows are produced: no big joined string,
// and no second pass to turn it into bytes when it is written to the socket.

const CHUNK_BYTES = 1 << 20;

export class CopyBuffer {
  readonly chunks: Buffer[] = [];
  private current = Buffer.allocUnsafe(CHUNK_BYTES);
  private offset = 0;
  rows = 0;

  push(row: string): void {
    this.rows++;
    // A UTF-8 encoding never takes more than 3 bytes per UTF-16 code unit.
    if (this.offset + row.length * 3 > this.current.length) {
      if (this.offset + Buffer.byteLength(row) > this.current.length) this.flush(row.length * 3);
    }
    this.offset += this.current.write(row, this.offset);
  }

  /** The encoded rows, in order. */
  finish(): Buffer[] {
    if (this.offset > 0) this.chunks.push(this.current.subarray(0, this.offset));
    this.offset = 0;
    this.current = Buffer.alloc(0);
    return this.chunks;
  }

  private flush(need: number): void {
    if (this.offset > 0) this.chunks.push(this.current.subarray(0, this.offset));
    this.current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, need));
    this.offset = 0;
  }
}
