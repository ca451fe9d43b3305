// Which rollup rows answer a window: whole days from day rollups, whole hours from hour rollups,
// the ragged edges from minutes. Only buckets already built in a grain are read from it.

import { DAY_MS, HOUR_MS, MINUTE_MS } from '../rollups/rollup-rows.ts';

export type RollupTable = 'rollups_minute' | 'rollups_hour' | 'rollups_day';

export interface Piece {
  table: RollupTable;
  fromMs: number;
  toMs: number;
}

export interface BuiltUntil {
  hour: number;
  day: number;
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
      pieces.push({ table: grain.table, fromMs: a, toMs: b });
      return;
    }
    const start = Math.ceil(a / grain.size) * grain.size;
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

export function alignWindow(fromMs: number, toMs: number): { fromMs: number; toMs: number } {
  return { fromMs: Math.floor(fromMs / MINUTE_MS) * MINUTE_MS, toMs: Math.ceil(toMs / MINUTE_MS) * MINUTE_MS };
}
