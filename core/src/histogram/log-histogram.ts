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

export function keyOf(value: number): number {
  if (!(value > MIN_VALUE)) return ZERO_KEY;
  if (value >= MAX_VALUE) return MAX_KEY;
  return Math.ceil(Math.log(value) / LOG_GAMMA);
}

export function valueOf(key: number): number {
  if (key <= ZERO_KEY) return 0;
  return (2 * Math.pow(GAMMA, key)) / (GAMMA + 1);
}

const SLOTS = MAX_KEY - ZERO_KEY + 1;
/** Past this many distinct keys a dense array beats a map (merging a week of rows, say). */
const DENSE_AFTER = 64;

/**
 * Histogram counts by key: a map while a row sees tens of distinct keys, a dense array once it sees
 * more. Counts may be negative: a delta that removes values. Quantiles walk the keys in order once
 * and cache the walk.
 */
export class LogHistogram {
  private sparse: Map<number, number> | null = new Map();
  private dense: Float64Array | null = null;
  private sorted: { keys: number[]; cumulative: number[] } | null = null;
  total = 0;

  add(value: number, count = 1): void {
    this.addKey(keyOf(value), count);
  }

  addKey(key: number, count: number): void {
    if (this.dense) {
      this.dense[key - ZERO_KEY]! += count;
    } else {
      const sparse = this.sparse!;
      sparse.set(key, (sparse.get(key) ?? 0) + count);
      if (sparse.size > DENSE_AFTER) this.toDense();
    }
    this.total += count;
    this.sorted = null;
  }

  merge(other: LogHistogram, sign = 1): void {
    other.forEach((key, count) => this.addKey(key, count * sign));
  }

  /** Adds an encoded histogram (several concatenated are fine), times sign (-1 removes it). */
  mergeEncoded(bytes: Uint8Array | null, sign = 1): void {
    if (bytes) forEachPair(bytes, (key, count) => this.addKey(Math.min(Math.max(key, ZERO_KEY), MAX_KEY), count * sign));
  }

  isEmpty(): boolean {
    let empty = true;
    this.forEach((_key, count) => {
      if (Math.round(count) !== 0) empty = false;
    });
    return empty;
  }

  /**
   * The q-quantile with the same definition as Postgres percentile_cont: linear interpolation
   * between the values at ranks floor and ceil of q·(n−1). Each of those is within ALPHA, and so
   * is any weighted mean of them. Null when empty.
   */
  quantile(q: number): number | null {
    const { keys, cumulative } = this.walk();
    const n = cumulative.length ? cumulative[cumulative.length - 1]! : 0;
    if (n <= 0) return null;
    const rank = Math.min(Math.max(q, 0), 1) * (n - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    const vLo = valueOf(keys[firstAbove(cumulative, lo)]!);
    const vHi = valueOf(keys[firstAbove(cumulative, hi)]!);
    return vLo + (rank - lo) * (vHi - vLo);
  }

  /** How many values are at or below threshold, to the bucket that holds it. */
  countAtOrBelow(threshold: number): number {
    const last = keyOf(threshold);
    let sum = 0;
    this.forEach((key, count) => {
      if (key <= last) sum += count;
    });
    return Math.round(sum);
  }

  /** Null when every count is zero, so an emptied histogram is stored as null. */
  encode(): Uint8Array | null {
    const out: number[] = [];
    this.forEachInOrder((key, count) => {
      const c = Math.round(count);
      if (c === 0) return;
      writeVarint(out, zigzag(key));
      writeVarint(out, zigzag(c));
    });
    return out.length === 0 ? null : Uint8Array.from(out);
  }

  private toDense(): void {
    const dense = new Float64Array(SLOTS);
    for (const [key, count] of this.sparse!) dense[key - ZERO_KEY]! += count;
    this.dense = dense;
    this.sparse = null;
  }

  private forEach(visit: (key: number, count: number) => void): void {
    if (this.dense) {
      const dense = this.dense;
      for (let i = 0; i < SLOTS; i++) if (dense[i] !== 0) visit(i + ZERO_KEY, dense[i]!);
    } else {
      for (const [key, count] of this.sparse!) visit(key, count);
    }
  }

  private forEachInOrder(visit: (key: number, count: number) => void): void {
    if (this.dense) return this.forEach(visit);
    const sparse = this.sparse!;
    for (const key of [...sparse.keys()].sort((a, b) => a - b)) visit(key, sparse.get(key)!);
  }

  private walk(): { keys: number[]; cumulative: number[] } {
    if (this.sorted) return this.sorted;
    const keys: number[] = [];
    const cumulative: number[] = [];
    let sum = 0;
    this.forEachInOrder((key, count) => {
      const c = Math.round(count);
      if (c <= 0) return;
      sum += c;
      keys.push(key);
      cumulative.push(sum);
    });
    return (this.sorted = { keys, cumulative });
  }
}

/** The index of the first cumulative count above rank (binary search). */
function firstAbove(cumulative: number[], rank: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > rank) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// Wire format (Postgres bytea): pairs of zigzag varints (key, count). Keys are absolute, not
// deltas, so that two encodings concatenated are a valid encoding of the merged histogram: SQL
// merges with string_agg(hist, ''). A minute row takes a few bytes, a busy day row a few hundred.

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
 * A histogram being assembled for a rollup row: values added one by one, or stored encodings merged
 * in. Encodings are kept as they are until the row is written, so a row made of one stored row
 * passes its bytes through without decoding; several are merged into one normalised encoding.
 */
export class HistogramBuilder {
  private built: LogHistogram | null = null;
  private parts: Uint8Array[] = [];

  add(value: number, count = 1): void {
    (this.built ??= new LogHistogram()).add(value, count);
  }

  /**
   * normalize: the bytes are several encodings concatenated (SQL string_agg), so they are decoded
   * now rather than passed through as they are.
   */
  mergeEncoded(bytes: Uint8Array | null, sign = 1, normalize = false): void {
    if (!bytes || bytes.length === 0) return;
    if (sign === 1 && !normalize) this.parts.push(bytes);
    else (this.built ??= new LogHistogram()).mergeEncoded(bytes, sign);
  }

  merge(other: HistogramBuilder): void {
    if (other.built) (this.built ??= new LogHistogram()).merge(other.built);
    for (const part of other.parts) this.parts.push(part);
  }

  isEmpty(): boolean {
    return this.encode() === null;
  }

  encode(): Uint8Array | null {
    if (!this.built && this.parts.length === 1) return this.parts[0]!;
    if (!this.built && this.parts.length === 0) return null;
    const merged = this.built ?? new LogHistogram();
    for (const part of this.parts) merged.mergeEncoded(part);
    this.built = merged;
    this.parts = [];
    return merged.encode();
  }
}
