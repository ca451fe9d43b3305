// Cost-per-request SLIs are counted from raw spans (the rollups keep cost sums, not distributions),
// and a long window is a long scan: 8.2 s for the 30-day period of the 10M-span benchmark project,
// 0.8 s for 3 days, against 28 ms for the same latency SLI from rollups (measured). Counted every
// 10 s tick, one such SLO would keep a core busy. So a long window is re-counted about every 1/288
// of its length: 1 h and shorter every tick, 6 h every 75 s, 1 d every 5 min, 3 d every 15 min,
// the 30-day period every 30 min. The fast page windows stay exact; the slow ones lag a little,
// which their length already implies.

const MAX_AGE_MS = 30 * 60_000;

export function recountEveryMs(windowMs: number): number {
  return windowMs <= 3_600_000 ? 0 : Math.min(MAX_AGE_MS, windowMs / 288);
}

export class SlowCountCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  /** The cached count for this key while it is fresh enough for its window, else a new one. */
  get(key: string, windowMs: number, now: number, count: () => Promise<T>): Promise<T> {
    const found = this.entries.get(key);
    const age = found ? now - found.at : Number.POSITIVE_INFINITY;
    if (found && age >= 0 && age < recountEveryMs(windowMs)) return found.value;
    const value = count();
    // A failed count is not kept: the next tick tries again.
    value.catch(() => this.entries.delete(key));
    this.entries.set(key, { at: now, value });
    if (this.entries.size > 10_000) this.sweep(now);
    return value;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries)
      if (now - entry.at > MAX_AGE_MS || now < entry.at) this.entries.delete(key);
  }
}
