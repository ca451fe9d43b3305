// Order statistics for the canary judge's summaries and its tail test.

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
