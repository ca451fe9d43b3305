// Query API answers shaped for charts and tables.

import type { MetricsPoint } from '@vigil/core';

/** One point of a chart: its time label and a value per series. */
export interface SeriesPoint {
  time: string;
  [series: string]: string | number | null;
}

export function timeLabel(iso: string, stepMs: number): string {
  const d = new Date(iso);
  return stepMs >= 86_400_000
    ? d.toISOString().slice(5, 10)
    : stepMs >= 3_600_000
      ? d.toISOString().slice(5, 16).replace('T', ' ')
      : d.toISOString().slice(11, 16);
}

/** One chart point per step, with a value per series (null where a step had no data). */
export function toSeries(
  points: MetricsPoint[],
  stepMs: number,
  series: Record<string, (p: MetricsPoint) => number | null>,
): SeriesPoint[] {
  return points.map((p) => {
    const row: SeriesPoint = { time: timeLabel(p.bucket ?? '', stepMs) };
    for (const [name, pick] of Object.entries(series)) row[name] = pick(p);
    return row;
  });
}

/** Samples on the view's full step grid (null where none), so a sparkline spans the whole range. */
export function onStepGrid(
  samples: { at: string; value: number | null }[],
  from: Date,
  to: Date,
  stepMs: number,
  name: string,
): SeriesPoint[] {
  const byStep = new Map(samples.map((s) => [Math.round((Date.parse(s.at) - from.getTime()) / stepMs), s.value]));
  const steps = Math.ceil((to.getTime() - from.getTime()) / stepMs);
  return Array.from({ length: steps }, (_, i) => ({
    time: timeLabel(new Date(from.getTime() + i * stepMs).toISOString(), stepMs),
    [name]: byStep.get(i) ?? null,
  }));
}
