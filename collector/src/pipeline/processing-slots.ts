// A few requests at a time through the CPU-bound stages (decode, normalise, price, fit), in
// arrival order. The event loop is single-threaded: with twenty admitted requests decoding and
// normalising in one turn, a health check or a commit waits for all of them; with two, it waits
// for at most two. It costs no throughput, as the work is done one at a time anyway.

export class ProcessingSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(slots: number) {
    this.free = slots;
  }

  /** Resolves with a release function (idempotent) once a slot is free. */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
