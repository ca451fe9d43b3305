import { floorTo, HOUR_MS, MINUTE_MS } from '@vigil/core';

/**
 * The step between chart points: about 60 across the range, in whole minutes, and in whole hours
 * once a step is an hour or more, so long ranges are read from hour rollups (minute rollups are
 * kept for days only).
 */
export function stepFor(rangeMs: number): number {
  const minutes = Math.max(1, Math.round(rangeMs / 60 / MINUTE_MS));
  return minutes >= 60 ? Math.round(minutes / 60) * HOUR_MS : minutes * MINUTE_MS;
}

/** A range's start on its step's grid when the step is whole hours: points fall on hour boundaries. */
export function alignedStart(fromMs: number, stepMs: number): number {
  return stepMs % HOUR_MS === 0 ? floorTo(fromMs, HOUR_MS) : fromMs;
}
