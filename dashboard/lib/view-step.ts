/** Minutes per chart point: about 60 points across the range. */
export function stepFor(rangeMs: number): number {
  return Math.max(60_000, Math.round(rangeMs / 60 / 60_000) * 60_000);
}
