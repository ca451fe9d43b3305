// Which rollup rows answer a window: whole days from day rollups, whole hours from hour rollups,
// the ragged edges from minutes. Only buckets already built in a grain are read from it, and
// minutes and hours only where retention keeps them: older edges are widened to whole hours (made
// exact again with raw spans: rawEdgePlan), or to whole days where the cuboid's hours are gone too.

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
  /**
   * Hour rows of the cuboid read are kept from here on (a day boundary); -Infinity for a cuboid
   * that keeps its hours as long as its days.
   */
  hourFrom: number;
}

/**
 * Minute rows of the small cuboids (cuboids.ts, `longMinutes`) are kept from here on: retention
 * keeps them longer than the others' and records from when, as it does for every grain.
 */
export interface LongMinutes {
  longMinuteFrom: number;
}

/** How far back each finer grain is kept: what alignWindow and seriesStep widen around. */
export type Horizons = Pick<BuiltUntil, 'minuteFrom' | 'hourFrom'>;

export const KEPT_FOREVER: Horizons = { minuteFrom: Number.NEGATIVE_INFINITY, hourFrom: Number.NEGATIVE_INFINITY };

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
    // Likewise off deleted hours while days are built there.
    if (grain.table === 'rollups_hour' && a < built.hourFrom)
      throw new Error(
        `no day rollups before ${new Date(b).toISOString()}, where hours are gone: is the compactor running?`,
      );
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

/** The grain an edge at `ms` can be read at: the finest still kept there. */
function grainAt(ms: number, kept: Horizons): number {
  if (ms < kept.hourFrom) return DAY_MS;
  if (ms < kept.minuteFrom) return HOUR_MS;
  return MINUTE_MS;
}

/**
 * The window the rollups answer: outward to whole minutes, to whole hours where it reaches before
 * the minutes kept, and to whole days before the hours kept (as Prometheus-style downsampling
 * does), so an old edge is read from the coarser rows instead of from finer rows that are gone.
 */
export function alignWindow(
  fromMs: number,
  toMs: number,
  kept: Horizons = KEPT_FOREVER,
): { fromMs: number; toMs: number } {
  const from = floorTo(fromMs, MINUTE_MS);
  const to = ceilTo(toMs, MINUTE_MS);
  return { fromMs: floorTo(from, grainAt(from, kept)), toMs: ceilTo(to, grainAt(to, kept)) };
}

/**
 * The step a series is answered at: as asked, or rounded up to whole hours (days) when its window
 * reaches before the minutes (hours) kept, which only coarser rows can answer. Each point names its
 * bucket.
 */
export function seriesStep(stepMs: number | undefined, fromMs: number, kept: Horizons): number | undefined {
  const grain = grainAt(fromMs, kept);
  if (stepMs === undefined || grain === MINUTE_MS || stepMs % grain === 0) return stepMs;
  return ceilTo(stepMs, grain);
}

/** Raw spans taken out of (sign -1) or added to (sign 1) what the rollups read. */
export interface RawEdge {
  fromMs: number;
  toMs: number;
  sign: 1 | -1;
}

/**
 * How raw spans make an answer cover the window asked where alignWindow would widen an edge to a
 * whole hour (minutes gone there, hours kept, raw spans kept from rawFrom): the rollups read the
 * hour and the raw spans of it outside the window are taken out, or, when less of the hour lies
 * inside the window than outside, the rollups leave the hour out and its raw spans inside are
 * added. Either way at most half an hour of raw spans is read per edge. Edges widened to whole
 * days keep their widening: a day of raw spans is too many to read per question.
 */
export function rawEdgePlan(
  fromMs: number,
  toMs: number,
  kept: Horizons,
  rawFrom: number,
): { fromMs: number; toMs: number; edges: RawEdge[] } {
  const aligned = alignWindow(fromMs, toMs, kept);
  const from = floorTo(fromMs, MINUTE_MS);
  const to = ceilTo(toMs, MINUTE_MS);
  const exact = (at: number) => at % HOUR_MS !== 0 && grainAt(at, kept) === HOUR_MS && floorTo(at, HOUR_MS) >= rawFrom;
  const edges: RawEdge[] = [];
  let readFrom = aligned.fromMs;
  let readTo = aligned.toMs;
  if (exact(from) && exact(to) && floorTo(from, HOUR_MS) === floorTo(to - 1, HOUR_MS)) {
    // Both edges in one hour: the raw spans of the window, or the hour less those outside it.
    const hour = floorTo(from, HOUR_MS);
    if (to - from <= HOUR_MS / 2) return { fromMs: from, toMs: from, edges: [{ fromMs: from, toMs: to, sign: 1 }] };
    edges.push({ fromMs: hour, toMs: from, sign: -1 }, { fromMs: to, toMs: hour + HOUR_MS, sign: -1 });
    return { fromMs: hour, toMs: hour + HOUR_MS, edges };
  }
  if (exact(from)) {
    const hourEnd = ceilTo(from, HOUR_MS);
    if (hourEnd - from >= from - readFrom) edges.push({ fromMs: readFrom, toMs: from, sign: -1 });
    else {
      edges.push({ fromMs: from, toMs: hourEnd, sign: 1 });
      readFrom = hourEnd;
    }
  }
  if (exact(to)) {
    const hourStart = floorTo(to, HOUR_MS);
    if (to - hourStart >= readTo - to) edges.push({ fromMs: to, toMs: readTo, sign: -1 });
    else {
      edges.push({ fromMs: hourStart, toMs: to, sign: 1 });
      readTo = hourStart;
    }
  }
  return { fromMs: readFrom, toMs: readTo, edges };
}
