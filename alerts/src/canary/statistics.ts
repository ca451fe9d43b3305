// The statistics the canary judge needs: the Mann-Whitney U test (normal approximation with the
// tie correction and a continuity correction), the Hodges-Lehmann shift, quantiles and a one-sided
// binomial test for tails.

/** Standard normal upper tail, P(Z ≥ z) (Abramowitz and Stegun 26.2.17; error < 7.5e-8). */
export function normalUpperTail(z: number): number {
  if (z < 0) return 1 - normalUpperTail(-z);
  const t = 1 / (1 + 0.2316419 * z);
  const density = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return density * poly;
}

export interface MannWhitney {
  /** U of the first sample: how often one of its values beats one of the second's (ties count half). */
  u: number;
  z: number;
  /** One-sided p-value for "the first sample tends to be larger". */
  pGreater: number;
}

/** Mann-Whitney U for x larger than y. Both samples need at least one value. */
export function mannWhitney(x: readonly number[], y: readonly number[]): MannWhitney {
  const n1 = x.length;
  const n2 = y.length;
  const all = new Float64Array(n1 + n2);
  const fromX = new Uint8Array(n1 + n2);
  const order = new Uint32Array(n1 + n2);
  for (let i = 0; i < n1; i++) all[i] = x[i]!;
  for (let j = 0; j < n2; j++) all[n1 + j] = y[j]!;
  fromX.fill(1, 0, n1);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => all[a]! - all[b]!);
  const n = n1 + n2;
  let rankSumX = 0;
  let tieTerm = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && all[order[end]!] === all[order[start]!]) end++;
    const averageRank = (start + 1 + end) / 2;
    const ties = end - start;
    if (ties > 1) tieTerm += ties ** 3 - ties;
    for (let k = start; k < end; k++) if (fromX[order[k]!]) rankSumX += averageRank;
    start = end;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { u, z: 0, pGreater: 1 };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, pGreater: normalUpperTail(z) };
}

/** The q-quantile of sorted values (linear interpolation, as percentile_cont). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

export function sorted(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** At most `size` evenly spaced order statistics of sorted values: keeps the shape, bounds the work. */
function thinned(values: Float64Array, size: number): Float64Array {
  if (values.length <= size) return values;
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = quantileSorted(values, i / (size - 1));
  return out;
}

/** Hodges-Lehmann estimate of how much x is shifted above y: the median of all differences x − y. */
export function hodgesLehmann(xSorted: Float64Array, ySorted: Float64Array, maxEach = 600): number {
  const x = thinned(xSorted, maxEach);
  const y = thinned(ySorted, maxEach);
  const differences = new Float64Array(x.length * y.length);
  let k = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) differences[k++] = x[i]! - y[j]!;
  differences.sort();
  return quantileSorted(differences, 0.5);
}

/** One-sided p-value that k successes in n trials come from a rate above p0 (normal approximation). */
export function binomialGreater(k: number, n: number, p0: number): number {
  if (n === 0) return 1;
  const sd = Math.sqrt(n * p0 * (1 - p0));
  if (sd === 0) return k > n * p0 ? 0 : 1;
  return normalUpperTail((k - 0.5 - n * p0) / sd);
}
