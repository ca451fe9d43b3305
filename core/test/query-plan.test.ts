// The planner's pieces: coarsest grain first, minutes and hours only where retention keeps them.

import { describe, expect, it } from 'vitest';
import { alignWindow, planPieces, rawEdgePlan, seriesStep } from '../src/query/plan.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const t0 = Date.UTC(2026, 10, 20);
const NEVER = Number.NEGATIVE_INFINITY;
const minutesFrom = (minuteFrom: number) => ({ minuteFrom, hourFrom: NEVER });

describe('the query plan', () => {
  it('reads whole days, then hours, then the ragged minutes', () => {
    const built = { hour: t0 + 10 * DAY, day: t0 + 10 * DAY, minuteFrom: NEVER, hourFrom: NEVER };
    const from = t0 + 22 * HOUR + 13 * MINUTE;
    const to = t0 + 3 * DAY + 2 * HOUR + 5 * MINUTE;
    expect(planPieces(from, to, built)).toEqual([
      { table: 'rollups_minute', fromMs: from, toMs: t0 + 23 * HOUR },
      { table: 'rollups_hour', fromMs: t0 + 23 * HOUR, toMs: t0 + DAY },
      { table: 'rollups_day', fromMs: t0 + DAY, toMs: t0 + 3 * DAY },
      { table: 'rollups_hour', fromMs: t0 + 3 * DAY, toMs: t0 + 3 * DAY + 2 * HOUR },
      { table: 'rollups_minute', fromMs: t0 + 3 * DAY + 2 * HOUR, toMs: to },
    ]);
  });

  it('widens only the edges older than the minutes kept to whole hours', () => {
    const kept = minutesFrom(t0 + 5 * DAY);
    expect(alignWindow(t0 + DAY + 13 * MINUTE + 1, t0 + 6 * DAY + 7 * MINUTE - 1, kept)).toEqual({
      fromMs: t0 + DAY,
      toMs: t0 + 6 * DAY + 7 * MINUTE,
    });
    expect(alignWindow(t0 + DAY + 13 * MINUTE, t0 + 2 * DAY + 7 * MINUTE, kept)).toEqual({
      fromMs: t0 + DAY,
      toMs: t0 + 2 * DAY + HOUR,
    });
    // Without a horizon (minutes kept as long as hours), a window is to the minute.
    expect(alignWindow(t0 + DAY + 13 * MINUTE, t0 + 2 * DAY + 7 * MINUTE)).toEqual({
      fromMs: t0 + DAY + 13 * MINUTE,
      toMs: t0 + 2 * DAY + 7 * MINUTE,
    });
  });

  it('never plans a minute piece before the minutes kept', () => {
    const built = { hour: t0 + 10 * DAY, day: t0 + 10 * DAY, ...minutesFrom(t0 + 5 * DAY) };
    const { fromMs, toMs } = alignWindow(t0 + 4 * DAY + 13 * MINUTE, t0 + 6 * DAY + 7 * MINUTE, built);
    const pieces = planPieces(fromMs, toMs, built, seriesStep(5 * MINUTE, fromMs, built));
    expect(pieces.filter((p) => p.table === 'rollups_minute').every((p) => p.fromMs >= built.minuteFrom)).toBe(true);
    expect(pieces[0]).toEqual({ table: 'rollups_hour', fromMs: t0 + 4 * DAY, toMs: t0 + 6 * DAY });
    // Hours not built where minutes are gone: an error, not a silent gap.
    expect(() => planPieces(fromMs, toMs, { ...built, hour: t0 + 3 * DAY, day: t0 + 3 * DAY })).toThrow(/compactor/);
  });

  it('rounds a series step up to whole hours only when its window reaches before the minutes kept', () => {
    const kept = minutesFrom(t0 + 5 * DAY);
    expect(seriesStep(5 * MINUTE, t0 + 4 * DAY, kept)).toBe(HOUR);
    expect(seriesStep(168 * MINUTE, t0 + 4 * DAY, kept)).toBe(3 * HOUR);
    expect(seriesStep(2 * HOUR, t0 + 4 * DAY, kept)).toBe(2 * HOUR);
    expect(seriesStep(5 * MINUTE, t0 + 5 * DAY, kept)).toBe(5 * MINUTE);
    expect(seriesStep(undefined, t0, kept)).toBeUndefined();
  });

  describe('with hours kept for days (the big cuboids)', () => {
    const kept = { minuteFrom: t0 + 8 * DAY + 5 * HOUR, hourFrom: t0 + 4 * DAY };

    it('widens an edge older than the hours kept to whole days, a newer one as before', () => {
      expect(alignWindow(t0 + DAY + 13 * MINUTE, t0 + 9 * DAY + 7 * MINUTE, kept)).toEqual({
        fromMs: t0 + DAY,
        toMs: t0 + 9 * DAY + 7 * MINUTE,
      });
      expect(alignWindow(t0 + DAY + 13 * MINUTE, t0 + 2 * DAY + 7 * MINUTE, kept)).toEqual({
        fromMs: t0 + DAY,
        toMs: t0 + 3 * DAY,
      });
      expect(alignWindow(t0 + 5 * DAY + 13 * MINUTE, t0 + 6 * DAY + 7 * MINUTE, kept)).toEqual({
        fromMs: t0 + 5 * DAY,
        toMs: t0 + 6 * DAY + HOUR,
      });
    });

    it('reads days before the hours kept and never plans an hour piece there', () => {
      const built = { hour: t0 + 9 * DAY + 3 * HOUR, day: t0 + 9 * DAY, ...kept };
      const { fromMs, toMs } = alignWindow(t0 + 2 * DAY + 13 * MINUTE, t0 + 9 * DAY + 2 * HOUR + 7 * MINUTE, kept);
      const pieces = planPieces(fromMs, toMs, built);
      expect(pieces).toEqual([
        { table: 'rollups_day', fromMs: t0 + 2 * DAY, toMs: t0 + 9 * DAY },
        { table: 'rollups_hour', fromMs: t0 + 9 * DAY, toMs: t0 + 9 * DAY + 2 * HOUR },
        { table: 'rollups_minute', fromMs: t0 + 9 * DAY + 2 * HOUR, toMs },
      ]);
      // Days not built where the hours are gone: an error, not a silent gap.
      expect(() => planPieces(fromMs, toMs, { ...built, day: t0 + 3 * DAY })).toThrow(/day rollups.*compactor/);
    });

    it('rounds a series step up to whole days when its window reaches before the hours kept', () => {
      expect(seriesStep(3 * HOUR, t0 + 3 * DAY, kept)).toBe(DAY);
      expect(seriesStep(36 * HOUR, t0 + 3 * DAY, kept)).toBe(2 * DAY);
      expect(seriesStep(5 * MINUTE, t0 + 5 * DAY, kept)).toBe(HOUR);
      expect(seriesStep(5 * MINUTE, t0 + 9 * DAY, kept)).toBe(5 * MINUTE);
      // A series at a day step over those days reads day rows, one per point.
      const built = { hour: t0 + 9 * DAY, day: t0 + 9 * DAY, ...kept };
      expect(planPieces(t0 + DAY, t0 + 9 * DAY, built, DAY)).toEqual([
        { table: 'rollups_day', fromMs: t0 + DAY, toMs: t0 + 9 * DAY },
      ]);
    });
  });
});

describe('raw spans at edges widened to whole hours', () => {
  const kept = minutesFrom(t0 + 5 * DAY);
  const rawFrom = t0;

  it('takes out the spans outside the window when most of the hour is inside, adds those inside otherwise', () => {
    // Old edge 13 minutes into its hour: read the hour, take out 13 minutes. Recent edge in the minutes kept.
    expect(rawEdgePlan(t0 + DAY + 13 * MINUTE, t0 + 6 * DAY, kept, rawFrom)).toEqual({
      fromMs: t0 + DAY,
      toMs: t0 + 6 * DAY,
      edges: [{ fromMs: t0 + DAY, toMs: t0 + DAY + 13 * MINUTE, sign: -1 }],
    });
    // 41 minutes in: leave the hour out, add its last 19 minutes.
    expect(rawEdgePlan(t0 + DAY + 41 * MINUTE, t0 + 6 * DAY, kept, rawFrom)).toEqual({
      fromMs: t0 + DAY + HOUR,
      toMs: t0 + 6 * DAY,
      edges: [{ fromMs: t0 + DAY + 41 * MINUTE, toMs: t0 + DAY + HOUR, sign: 1 }],
    });
    // A window wholly before the minutes kept: both edges, each the cheaper way.
    expect(rawEdgePlan(t0 + DAY + 50 * MINUTE, t0 + 2 * DAY + 10 * MINUTE, kept, rawFrom)).toEqual({
      fromMs: t0 + DAY + HOUR,
      toMs: t0 + 2 * DAY,
      edges: [
        { fromMs: t0 + DAY + 50 * MINUTE, toMs: t0 + DAY + HOUR, sign: 1 },
        { fromMs: t0 + 2 * DAY, toMs: t0 + 2 * DAY + 10 * MINUTE, sign: 1 },
      ],
    });
  });

  it('answers a window inside one hour from raw spans alone, or from the hour less both sides', () => {
    expect(rawEdgePlan(t0 + DAY + 10 * MINUTE, t0 + DAY + 30 * MINUTE, kept, rawFrom)).toEqual({
      fromMs: t0 + DAY + 10 * MINUTE,
      toMs: t0 + DAY + 10 * MINUTE,
      edges: [{ fromMs: t0 + DAY + 10 * MINUTE, toMs: t0 + DAY + 30 * MINUTE, sign: 1 }],
    });
    expect(rawEdgePlan(t0 + DAY + 5 * MINUTE, t0 + DAY + 50 * MINUTE, kept, rawFrom)).toEqual({
      fromMs: t0 + DAY,
      toMs: t0 + DAY + HOUR,
      edges: [
        { fromMs: t0 + DAY, toMs: t0 + DAY + 5 * MINUTE, sign: -1 },
        { fromMs: t0 + DAY + 50 * MINUTE, toMs: t0 + DAY + HOUR, sign: -1 },
      ],
    });
  });

  it('keeps the whole hour where raw spans are not kept, and leaves edges in the minutes kept alone', () => {
    expect(rawEdgePlan(t0 + DAY + 41 * MINUTE, t0 + 6 * DAY, kept, t0 + 2 * DAY)).toEqual({
      fromMs: t0 + DAY,
      toMs: t0 + 6 * DAY,
      edges: [],
    });
    expect(rawEdgePlan(t0 + 5 * DAY + 7 * MINUTE, t0 + 6 * DAY + 3 * MINUTE, kept, rawFrom)).toEqual({
      fromMs: t0 + 5 * DAY + 7 * MINUTE,
      toMs: t0 + 6 * DAY + 3 * MINUTE,
      edges: [],
    });
  });
});
