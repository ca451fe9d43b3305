// A mergeable log-bucketed histogram (the DDSketch mapping): bucket k holds values in
// (γ^(k-1), γ^k] and reports 2γ^k/(γ+1), so every reported value is within ALPHA of the true one.
// Merging is adding counts, so minute rows add up to hours, days and any window exactly.

/** The relative accuracy of every reported value; kept under the 1% the product promises. */
export const ALPHA = 0.008;
export const GAMMA = (1 + ALPHA) / (1 - ALPHA);
const LOG_GAMMA = Math.log(GAMMA);

/** Values at or below this (milliseconds) share one bucket that reports 0: a microsecond is noise here. */
export const MIN_VALUE = 1e-3;
/** Larger values (over 11 days in ms) are clamped; a span that long is a bug, not a latency. */
export const MAX_VALUE = 1e9;

export const MIN_KEY = Math.ceil(Math.log(MIN_VALUE) / LOG_GAMMA);
export const MAX_KEY = Math.ceil(Math.log(MAX_VALUE) / LOG_GAMMA);
/** The bucket of zero and sub-microsecond values. */
export const ZERO_KEY = MIN_KEY - 1;
const SLOTS = MAX_KEY - ZERO_KEY + 1;

export function keyOf(value: number): number {
  if (!(value > MIN_VALUE)) return ZERO_KEY;
  if (value >= MAX_VALUE) return MAX_KEY;
  return Math.ceil(Math.log(value) / LOG_GAMMA);
}

export function valueOf(key: number): number {
  if (key <= ZERO_KEY) return 0;
  return (2 * Math.pow(GAMMA, key)) / (GAMMA + 1);
}

/**
 * A histogram being built or merged: dense counts over every key (a few thousand slots), so adding
 * and merging are array writes. Counts may go negative transiently while deltas are merged.
 */
export class LogHistogram {
  readonly counts = new Float64Array(SLOTS);
  total = 0;

  add(value: number, count = 1): void {
    this.counts[keyOf(value) - ZERO_KEY]! += count;
    this.total += count;
  }

  addKey(key: number, count: number): void {
    this.counts[key - ZERO_KEY]! += count;
    this.total += count;
  }

  merge(other: LogHistogram): void {
    const a = this.counts;
    const b = other.counts;
    for (let i = 0; i < SLOTS; i++) if (b[i] !== 0) a[i]! += b[i]!;
    this.total += other.total;
  }

  /** Adds an encoded histogram, times sign (-1 removes it). */
  mergeEncoded(bytes: Uint8Array | null, sign = 1): void {
    if (bytes) decodeInto(bytes, this, sign);
  }

  /**
   * The q-quantile with the same definition as Postgres percentile_cont: linear interpolation
   * between the values at ranks floor and ceil of q·(n−1). Each of those is within ALPHA, and so
   * is any weighted mean of them. Null when empty.
   */
  quantile(q: number): number | null {
    const n = Math.round(this.total);
    if (n <= 0) return null;
    const rank = Math.min(Math.max(q, 0), 1) * (n - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    const [vLo, vHi] = this.valuesAtRanks(lo, hi);
    return vLo + (rank - lo) * (vHi - vLo);
  }

  /** How many values are at or below threshold, to the bucket that holds it. */
  countAtOrBelow(threshold: number): number {
    const last = keyOf(threshold) - ZERO_KEY;
    let sum = 0;
    for (let i = 0; i <= last; i++) sum += this.counts[i]!;
    return Math.round(sum);
  }

  isEmpty(): boolean {
    return Math.round(this.total) === 0;
  }

  encode(): Uint8Array {
    return encodeCounts(this.counts);
  }

  private valuesAtRanks(lo: number, hi: number): [number, number] {
    let seen = 0;
    let vLo = Number.NaN;
    const counts = this.counts;
    for (let i = 0; i < SLOTS; i++) {
      const c = counts[i]!;
      if (c <= 0) continue;
      seen += c;
      if (Number.isNaN(vLo) && seen > lo) vLo = valueOf(i + ZERO_KEY);
      if (seen > hi) return [vLo, valueOf(i + ZERO_KEY)];
    }
    // Only reachable with inconsistent negative counts; report the top bucket seen.
    const top = Number.isNaN(vLo) ? 0 : vLo;
    return [top, top];
  }
}

// Wire format (Postgres bytea): pairs of zigzag varints (key, count). Keys are absolute, not
// deltas, so that two encodings concatenated are a valid encoding of the merged histogram: SQL
// merges with string_agg(hist, ''). A minute row takes a few bytes, a busy day row a few hundred.

function encodeCounts(counts: Float64Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < SLOTS; i++) {
    const c = Math.round(counts[i]!);
    if (c === 0) continue;
    writeVarint(out, zigzag(i + ZERO_KEY));
    writeVarint(out, zigzag(c));
  }
  return Uint8Array.from(out);
}

/** Calls visit(key, count) for every pair of an encoding, in stored order (keys may repeat). */
function forEachPair(bytes: Uint8Array, visit: (key: number, count: number) => void): void {
  let pos = 0;
  while (pos < bytes.length) {
    let shift = 1;
    let raw = 0;
    let b: number;
    do {
      b = bytes[pos++]!;
      raw += (b & 0x7f) * shift;
      shift *= 128;
    } while (b & 0x80 && pos < bytes.length);
    const key = unzigzag(raw);
    shift = 1;
    raw = 0;
    do {
      b = bytes[pos++]!;
      raw += (b & 0x7f) * shift;
      shift *= 128;
    } while (b & 0x80 && pos < bytes.length);
    visit(key, unzigzag(raw));
  }
}

function decodeInto(bytes: Uint8Array, into: LogHistogram, sign: number): void {
  const counts = into.counts;
  let total = 0;
  forEachPair(bytes, (key, count) => {
    counts[Math.min(Math.max(key, ZERO_KEY), MAX_KEY) - ZERO_KEY]! += count * sign;
    total += count * sign;
  });
  into.total += total;
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function writeVarint(out: number[], n: number): void {
  while (n >= 128) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

/**
 * Histogram counts as a map, for rollup rows that see a few distinct keys (one batch's spans for
 * one key, or the rows being merged into one), where a dense array per row would be mostly zeros.
 * Counts may be negative: a delta that removes values.
 */
export class SparseHistogram {
  private readonly counts = new Map<number, number>();

  add(value: number, count = 1): void {
    this.addKey(keyOf(value), count);
  }

  addKey(key: number, count: number): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + count);
  }

  mergeEncoded(bytes: Uint8Array | null, sign = 1): void {
    if (bytes) forEachPair(bytes, (key, count) => this.addKey(key, count * sign));
  }

  merge(other: SparseHistogram, sign = 1): void {
    for (const [key, count] of other.counts) this.addKey(key, count * sign);
  }

  /** Null when every count is zero, so an emptied histogram is stored as null. */
  encode(): Uint8Array | null {
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    const out: number[] = [];
    for (const key of keys) {
      const c = this.counts.get(key)!;
      if (c === 0) continue;
      writeVarint(out, zigzag(key));
      writeVarint(out, zigzag(c));
    }
    return out.length === 0 ? null : Uint8Array.from(out);
  }
}
