// Cumulative points → deltas, per series: the small pure core of metric ingest. A series is one
// metric of one resource and scope with one set of point attributes; its last point is kept
// (metric_series) so the next one can be told apart:
//   - a later time with the same start and no smaller value: the difference is new;
//   - a new start time, or a smaller value (the process restarted; a counter never goes down): a
//     reset, and the point counts whole, as everything since its start is new;
//   - a time not after the last one: a retry or an out-of-order point, already counted: dropped;
//   - the first point of a series: counted whole when its start is recent (FIRST_POINT_WHOLE_MS),
//     a process that just started; else only kept as the baseline, because what a long-running
//     process accrued before it reported here belongs to before.
// Delta points pass through as they are, but their times are kept too, so a retried export is not
// counted twice.

import { createHash } from 'node:crypto';
import { LogHistogram } from '@vigil/core';
import type { Attributes } from '../otlp/types.ts';

/** A point's reading: a sum's value, or a histogram's count, sum and log histogram. */
export interface PointValue {
  value: number;
  sum: number;
  hist: Uint8Array | null;
}

export interface SeriesState extends PointValue {
  startMs: number;
  timeMs: number;
}

export type DeltaOutcome = 'first' | 'baseline' | 'next' | 'reset' | 'delta' | 'stale';

/** A cumulative series first seen this soon after its start counts whole (ten export intervals of 60 s). */
export const FIRST_POINT_WHOLE_MS = 10 * 60_000;

export interface Delta {
  outcome: DeltaOutcome;
  /** What is new since the last point; null when the point was already counted. */
  delta: PointValue | null;
  /** Where the new part's interval starts (ms): the last point's time, or the point's start. */
  coversFromMs: number;
  state: SeriesState;
}

function subtract(current: PointValue, previous: PointValue): PointValue {
  let hist: Uint8Array | null = null;
  if (current.hist) {
    const h = new LogHistogram();
    h.mergeEncoded(current.hist);
    h.mergeEncoded(previous.hist, -1);
    hist = h.encode();
  }
  return { value: current.value - previous.value, sum: current.sum - previous.sum, hist };
}

export function nextDelta(
  previous: SeriesState | undefined,
  point: { startMs: number; timeMs: number; cumulative: boolean },
  current: PointValue,
): Delta {
  if (previous && point.timeMs <= previous.timeMs)
    return { outcome: 'stale', delta: null, coversFromMs: point.timeMs, state: previous };
  const state: SeriesState = { ...current, startMs: point.startMs, timeMs: point.timeMs };
  const since = point.startMs > 0 ? point.startMs : point.timeMs;
  if (!point.cumulative) return { outcome: 'delta', delta: current, coversFromMs: since, state };
  if (!previous) {
    const recent = point.startMs > 0 && point.timeMs - point.startMs <= FIRST_POINT_WHOLE_MS;
    return recent
      ? { outcome: 'first', delta: current, coversFromMs: since, state }
      : { outcome: 'baseline', delta: null, coversFromMs: since, state };
  }
  if (point.startMs !== previous.startMs || current.value < previous.value)
    return { outcome: 'reset', delta: current, coversFromMs: since, state };
  return { outcome: 'next', delta: subtract(current, previous), coversFromMs: previous.timeMs, state };
}

function sortedEntries(attributes: Attributes): [string, unknown][] {
  return Object.keys(attributes)
    .sort()
    .map((key) => [key, attributes[key]]);
}

/** A series' identity within a project: its resource, scope, metric and point attributes. */
export function seriesKey(resource: Attributes, scope: string, metric: string, attributes: Attributes): string {
  return createHash('sha256')
    .update(JSON.stringify([sortedEntries(resource), scope, metric, sortedEntries(attributes)]))
    .digest('hex')
    .slice(0, 32);
}
