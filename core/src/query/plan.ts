// Which rollup rows answer a window: whole days from day rollups, whole hours from hour rollups,
// the ragged edges from minutes. Only buckets already built in a grain are read from it, and
// minutes only where retention keeps them: older edges are widened to whole hours.

import { ceilTo, DAY_MS, floorTo, HOUR_MS, MINUTE_MS } from '../rollups/rollup-rows.ts';

export type RollupTable = 'rollups_minute' | 'rollups_hour' | 'rollups_day';

export interface Piece {
  table: RollupTable;
  fromMs: number;
  toMs: number;
}

export interface BuiltUntil {
  hour: number;
  day: number;
  /** Minute rows are kept from here on (an hour boundary); retention deleted the earlier ones. */
  minuteFrom: number;
}

/**
 * Splits [fromMs, toMs) (minute aligned) into pieces, coarsest first. With a step, a grain is used
 * only if it divides the step and the window start, so no bucket straddles two steps.
 */
export function planPieces(fromMs: number, toMs: number, built: BuiltUntil, stepMs?: number): Piece[] {
  const fits = (grain: number) => stepMs === undefined || (stepMs % grain === 0 && fromMs % grain === 0);
  const pieces: Piece[] = [];
  const split = (a: number, b: number, grains: { size: number; table: RollupTable; builtUntil: number }[]): void => {
    if (a >= b) return;
    const [grain, ...finer] = grains;
    if (!grain) return;
    if (finer.length === 0) {
      // alignWindow and seriesStep keep a plan off deleted minutes while hours are built there.
      if (a < built.minuteFrom)
        throw new Error(
          `no hour rollups before ${new Date(b).toISOString()}, where minutes are gone: is the compactor running?`,
        );
      pieces.push({ table: grain.table, fromMs: a, toMs: b });
      return;
    }
    const start = ceilTo(a, grain.size);
    const end = Math.min(
      Math.floor(b / grain.size) * grain.size,
      Math.floor(grain.builtUntil / grain.size) * grain.size,
    );
    if (!fits(grain.size) || start >= end) {
      split(a, b, finer);
      return;
    }
    split(a, start, finer);
    pieces.push({ table: grain.table, fromMs: start, toMs: end });
    split(end, b, finer);
  };
  split(fromMs, toMs, [
    { size: DAY_MS, table: 'rollups_day', builtUntil: built.day },
    { size: HOUR_MS, table: 'rollups_hour', builtUntil: built.hour },
    { size: MINUTE_MS, table: 'rollups_minute', builtUntil: Number.POSITIVE_INFINITY },
  ]);
  return pieces;
}

/**
 * The window the rollups answer: outward to whole minutes, and to whole hours where it reaches
 * before the minutes kept (as Prometheus-style downsampling does), so an old edge is read from the
 * hour rows instead of from minute rows that are gone.
 */
export function alignWindow(
  fromMs: number,
  toMs: number,
  minuteFrom = Number.NEGATIVE_INFINITY,
): { fromMs: number; toMs: number } {
  const from = floorTo(fromMs, MINUTE_MS);
  const to = ceilTo(toMs, MINUTE_MS);
  return {
    fromMs: from < minuteFrom ? floorTo(from, HOUR_MS) : from,
    toMs: to < minuteFrom ? ceilTo(to, HOUR_MS) : to,
  };
}

/**
 * The step a series is answered at: as asked, or rounded up to whole hours when its window reaches
 * before the minutes kept, which only hour rows can answer. Each point names its bucket.
 */
export function seriesStep(stepMs: number | undefined, fromMs: number, minuteFrom: number): number | undefined {
  if (stepMs === undefined || fromMs >= minuteFrom || stepMs % HOUR_MS === 0) return stepMs;
  return ceilTo(stepMs, HOUR_MS);
}
