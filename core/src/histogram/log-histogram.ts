// A mergeable log-bucketed histogram (the DDSketch mapping): bucket k holds values in
// (γ^(k-1), γ^k] and reports 2γ^k/(γ+1), so every reported value is within ALPHA of the true one.
// Merging is adding counts, so minute rows add up to hours, days and any window exactly.

/** The relative accuracy of every reported value; kept under the 1% the product promises. */
export const ALPHA = 0.008;
export const GAMMA = (1 + ALPHA) / (1 - ALPHA);
export const LOG_GAMMA = Math.log(GAMMA);

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

// biome-ignore lint/suspicious/noShadowRestrictedNames: a module function, not Object.prototype.valueOf
export function valueOf(key: number): number {
  if (key <= ZERO_KEY) return 0;
  return (2 * GAMMA ** key) / (GAMMA + 1);
}

const SLOTS = MAX_KEY - ZERO_KEY + 1;
// Scratch space for compaction, shared: compaction is synchronous, so one set serves every histogram.
const SCRATCH_COUNTS = new Float64Array(SLOTS);
const SCRATCH_SEEN = new Uint8Array(SLOTS);
const SCRATCH_TOUCHED = new Int32Array(SLOTS);
/** Running sums of a histogram's positive counts (quantileOfRunning), beside its keys in SCRATCH_TOUCHED. */
const SCRATCH_RUNNING = new Float64Array(SLOTS);
/** Past this many distinct keys, scanning every slot beats sorting the keys. */
const SCAN_AFTER = 192;

/**
 * Histogram counts by key, kept as a compacted run (sorted, distinct, non-zero) plus what was added
 * since: single keys, and whole encodings not yet decoded. Reading folds both into the run in one
 * pass through a shared scratch array, so merging the rows of a long series allocates nothing per
 * pair. Counts may be negative: a delta that removes values.
 */
export class LogHistogram {
  private keys: number[] = [];
  private counts: number[] = [];
  /** keys[0, compacted) are the compacted run; later entries were added since. */
  private compacted = 0;
  private encodings: Uint8Array[] = [];
  private encodingSigns: number[] = [];

  add(value: number, count = 1): void {
    this.addKey(keyOf(value), count);
  }

  addKey(key: number, count: number): void {
    this.keys.push(key);
    this.counts.push(count);
    // Values added one by one (a busy rollup row) would otherwise grow without bound before a read.
    if (this.keys.length - this.compacted > Math.max(256, this.compacted * 2)) this.compact();
  }

  merge(other: LogHistogram, sign = 1): void {
    other.forEach((key, count) => {
      this.addKey(key, count * sign);
    });
  }

  /** Adds an encoded histogram (several concatenated are fine), times sign (-1 removes it). */
  mergeEncoded(bytes: Uint8Array | null, sign = 1): void {
    if (!bytes || bytes.length === 0) return;
    this.encodings.push(bytes);
    this.encodingSigns.push(sign);
    if (this.encodings.length > 256) this.compact();
  }

  /** The number of values (the sum of counts). */
  get total(): number {
    let sum = 0;
    this.forEach((_key, count) => {
      sum += count;
    });
    return sum;
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
    // A series' point is usually one stored row: its encoding is already in key order, and reading
    // it in place skips the compaction (1,440 TTFT points: 4.6 -> 1.5 ms, .vigil bench data).
    if (this.keys.length === 0 && this.encodings.length === 1) {
      const inPlace = this.encodingSigns[0] === 1 ? orderedQuantile(this.encodings[0]!, q) : undefined;
      if (inPlace !== undefined) return inPlace;
    }
    // Running sums into the shared scratch, no array per call: a 1,440-point series asks this 1,440
    // times, and a cumulative array per histogram was 7 MB of garbage per such answer (heap sampling).
    this.compact();
    const { keys, counts } = this;
    let sum = 0;
    for (let i = 0; i < counts.length; i++) {
      const c = Math.round(counts[i]!);
      if (c > 0) sum += c;
      SCRATCH_TOUCHED[i] = keys[i]!;
      SCRATCH_RUNNING[i] = sum;
    }
    return quantileOfRunning(counts.length, q);
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
    this.forEach((key, count) => {
      const c = Math.round(count);
      if (c === 0) return;
      writeVarint(out, zigzag(key));
      writeVarint(out, zigzag(c));
    });
    return out.length === 0 ? null : Uint8Array.from(out);
  }

  /** In key order, each key once, zero counts left out. */
  private forEach(visit: (key: number, count: number) => void): void {
    this.compact();
    const { keys, counts } = this;
    for (let i = 0; i < keys.length; i++) visit(keys[i]!, counts[i]!);
  }

  /** Folds everything added since into the compacted run: sums by slot, then reads the slots in order. */
  private compact(): void {
    const { keys, counts, encodings } = this;
    if (this.compacted === keys.length && encodings.length === 0) return;
    let distinct = 0;
    for (let i = 0; i < keys.length; i++) distinct = addToScratch(keys[i]!, counts[i]!, distinct);
    for (let e = 0; e < encodings.length; e++)
      distinct = decodeIntoScratch(encodings[e]!, this.encodingSigns[e]!, distinct);
    // Sized once: grown by push, these arrays were most of a long series' garbage.
    const outKeys = new Array<number>(distinct);
    const outCounts = new Array<number>(distinct);
    let kept = 0;
    if (distinct > SCAN_AFTER) {
      // Many keys: a pass over every slot is cheaper than sorting them.
      for (let slot = 0; slot < SLOTS; slot++)
        if (SCRATCH_SEEN[slot] === 1) kept = takeSlot(slot, outKeys, outCounts, kept);
    } else {
      // A typed array sorts numerically without a comparator call per step.
      const touched = SCRATCH_TOUCHED.subarray(0, distinct).sort();
      for (let i = 0; i < distinct; i++) kept = takeSlot(touched[i]!, outKeys, outCounts, kept);
    }
    outKeys.length = kept;
    outCounts.length = kept;
    this.keys = outKeys;
    this.counts = outCounts;
    this.compacted = kept;
    this.encodings = [];
    this.encodingSigns = [];
  }
}

/** Adds a count to the scratch space; returns the number of distinct slots touched so far. */
function addToScratch(key: number, count: number, distinct: number): number {
  const slot = clampKey(key) - ZERO_KEY;
  if (SCRATCH_SEEN[slot] === 0) {
    SCRATCH_SEEN[slot] = 1;
    SCRATCH_TOUCHED[distinct++] = slot;
  }
  SCRATCH_COUNTS[slot]! += count;
  return distinct;
}

/** Keys outside the range share its end buckets, as everywhere a key is counted. */
function clampKey(key: number): number {
  return key < ZERO_KEY ? ZERO_KEY : Math.min(key, MAX_KEY);
}

// The decoding loops below read varints inline with a local position: a shared reader (a module
// variable or an object holding the position) took twice as long over a 1,440-point series.

/** Decodes an encoding's pairs straight into the scratch space: the hot path of every answer. */
function decodeIntoScratch(bytes: Uint8Array, sign: number, distinct: number): number {
  const length = bytes.length;
  let pos = 0;
  while (pos < length) {
    let b = bytes[pos++]!;
    let raw = b & 0x7f;
    for (let shift = 128; b & 0x80 && pos < length; shift *= 128) {
      b = bytes[pos++]!;
      raw += (b & 0x7f) * shift;
    }
    const key = unzigzag(raw);
    b = bytes[pos++]!;
    raw = b & 0x7f;
    for (let shift = 128; b & 0x80 && pos < length; shift *= 128) {
      b = bytes[pos++]!;
      raw += (b & 0x7f) * shift;
    }
    distinct = addToScratch(key, unzigzag(raw) * sign, distinct);
  }
  return distinct;
}

/**
 * Reads an encoding whose keys strictly ascend into SCRATCH_TOUCHED (its keys) and SCRATCH_RUNNING
 * (the running sum of its positive counts); returns how many pairs, or -1 when the keys do not
 * ascend (encodings concatenated, which need the compaction).
 */
function readOrdered(bytes: Uint8Array): number {
  const length = bytes.length;
  let pos = 0;
  let pairs = 0;
  let sum = 0;
  let previous = ZERO_KEY - 1;
  while (pos < length) {
    let b = bytes[pos++]!;
    let raw = b & 0x7f;
    for (let shift = 128; b & 0x80 && pos < length; shift *= 128) {
      b = bytes[pos++]!;
      raw += (b & 0x7f) * shift;
    }
    const key = clampKey(unzigzag(raw));
    // Strictly ascending clamped keys also bound pairs by SLOTS, the scratch arrays' size.
    if (key <= previous) return -1;
    previous = key;
    b = bytes[pos++]!;
    raw = b & 0x7f;
    for (let shift = 128; b & 0x80 && pos < length; shift *= 128) {
      b = bytes[pos++]!;
      raw += (b & 0x7f) * shift;
    }
    const count = unzigzag(raw);
    if (count > 0) sum += count;
    SCRATCH_TOUCHED[pairs] = key;
    SCRATCH_RUNNING[pairs++] = sum;
  }
  return pairs;
}

/** LogHistogram.quantile of one encoding read in place; undefined when its keys do not ascend. */
function orderedQuantile(bytes: Uint8Array, q: number): number | null | undefined {
  const pairs = readOrdered(bytes);
  return pairs < 0 ? undefined : quantileOfRunning(pairs, q);
}

/**
 * The q-quantile of the first `pairs` keys in SCRATCH_TOUCHED with the running sums of their
 * positive counts in SCRATCH_RUNNING: percentile_cont's value between the first keys whose running
 * sum passes ranks floor and ceil of q·(n−1). Null when n is 0.
 */
function quantileOfRunning(pairs: number, q: number): number | null {
  const n = pairs > 0 ? SCRATCH_RUNNING[pairs - 1]! : 0;
  if (n === 0) return null;
  const rank = Math.min(Math.max(q, 0), 1) * (n - 1);
  const lo = Math.floor(rank);
  let i = 0;
  while (SCRATCH_RUNNING[i]! <= lo) i++;
  const vLo = valueOf(SCRATCH_TOUCHED[i]!);
  while (SCRATCH_RUNNING[i]! <= Math.ceil(rank)) i++;
  return vLo + (rank - lo) * (valueOf(SCRATCH_TOUCHED[i]!) - vLo);
}

/**
 * Moves a slot's count out of the scratch space to keys/counts[at] when not zero, leaving the slot
 * clear for the next compaction. Returns where the next kept slot goes.
 */
function takeSlot(slot: number, keys: number[], counts: number[], at: number): number {
  const count = SCRATCH_COUNTS[slot]!;
  SCRATCH_COUNTS[slot] = 0;
  SCRATCH_SEEN[slot] = 0;
  if (count === 0) return at;
  keys[at] = slot + ZERO_KEY;
  counts[at] = count;
  return at + 1;
}

// Wire format (Postgres bytea): pairs of zigzag varints (key, count). Keys are absolute, not
// deltas, so that two encodings concatenated are a valid encoding of the merged histogram: SQL
// merges with string_agg(hist, ''). A minute row takes a few bytes, a busy day row a few hundred.

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
  /** The last encoding, until the next change: a pending row asks isEmpty() and then encode(). */
  private encoded: Uint8Array | null | undefined;

  add(value: number, count = 1): void {
    this.encoded = undefined;
    (this.built ??= new LogHistogram()).add(value, count);
  }

  /**
   * normalize: the bytes are several encodings concatenated (SQL string_agg), so they are decoded
   * now rather than passed through as they are.
   */
  mergeEncoded(bytes: Uint8Array | null, sign = 1, normalize = false): void {
    if (!bytes || bytes.length === 0) return;
    this.encoded = undefined;
    if (sign === 1 && !normalize) this.parts.push(bytes);
    else (this.built ??= new LogHistogram()).mergeEncoded(bytes, sign);
  }

  merge(other: HistogramBuilder): void {
    this.encoded = undefined;
    if (other.built) (this.built ??= new LogHistogram()).merge(other.built);
    for (const part of other.parts) this.parts.push(part);
  }

  isEmpty(): boolean {
    return this.encode() === null;
  }

  encode(): Uint8Array | null {
    if (this.encoded !== undefined) return this.encoded;
    if (!this.built && this.parts.length === 1) return (this.encoded = this.parts[0]!);
    if (!this.built && this.parts.length === 0) return (this.encoded = null);
    const merged = this.built ?? new LogHistogram();
    for (const part of this.parts) merged.mergeEncoded(part);
    this.built = merged;
    this.parts = [];
    return (this.encoded = merged.encode());
  }
}
