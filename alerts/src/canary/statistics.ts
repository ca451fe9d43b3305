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

/** ln Γ(x) (Lanczos, g = 7; about 15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const logChoose = (n: number, k: number) => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * Fisher's exact test, one-sided: of `marked` items among n1 + n2, the first group holds k or more.
 * For yes/no outcomes (an error, a request past the p95) with few events, where the normal
 * approximation of Mann-Whitney would call chance significant about twice as often as it should.
 */
export function fisherGreater(k: number, n1: number, n2: number, marked: number): number {
  const total = n1 + n2;
  const low = Math.max(k, marked - n2, 0);
  const high = Math.min(n1, marked);
  if (low > high) return k <= Math.max(0, marked - n2) ? 1 : 0;
  const denominator = logChoose(total, marked);
  let p = 0;
  for (let x = low; x <= high; x++) p += Math.exp(logChoose(n1, x) + logChoose(n2, marked - x) - denominator);
  return Math.min(1, p);
}
