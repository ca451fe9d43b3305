// The temporality core: cumulative points become deltas per series, resets count whole, retries
// and out-of-order points count nothing, first points count only when their process just started.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogHistogram } from '@vigil/core';
import { FIRST_POINT_WHOLE_MS, nextDelta, type SeriesState, seriesKey } from '../../src/metric-ingest/series.ts';

const number = (value: number) => ({ value, sum: value, hist: null });
const cumulative = (startMs: number, timeMs: number) => ({ startMs, timeMs, cumulative: true });

describe('cumulative points to deltas', () => {
  it('counts what is new since the last point', () => {
    const first = nextDelta(undefined, cumulative(1000, 61_000), number(10));
    expect(first).toMatchObject({ outcome: 'first', delta: { value: 10 }, coversFromMs: 1000 });
    const next = nextDelta(first.state, cumulative(1000, 121_000), number(25));
    expect(next).toMatchObject({ outcome: 'next', delta: { value: 15, sum: 15 }, coversFromMs: 61_000 });
  });

  it('keeps the first point of a long-running process as the baseline only', () => {
    const old = nextDelta(undefined, cumulative(1000, 1000 + FIRST_POINT_WHOLE_MS + 1), number(5000));
    expect(old).toMatchObject({ outcome: 'baseline', delta: null });
    expect(nextDelta(old.state, cumulative(1000, 2000 + FIRST_POINT_WHOLE_MS), number(5003)).delta?.value).toBe(3);
  });

  it('counts a reset whole: a new start time, or a value that went down', () => {
    const first = nextDelta(undefined, cumulative(1000, 61_000), number(10)).state;
    expect(nextDelta(first, cumulative(90_000, 121_000), number(4))).toMatchObject({
      outcome: 'reset',
      delta: { value: 4 },
      coversFromMs: 90_000,
    });
    expect(nextDelta(first, cumulative(1000, 121_000), number(3))).toMatchObject({
      outcome: 'reset',
      delta: { value: 3 },
    });
  });

  it('counts nothing for a retried or out-of-order point, cumulative or delta', () => {
    const state = nextDelta(undefined, cumulative(1000, 61_000), number(10)).state;
    expect(nextDelta(state, cumulative(1000, 61_000), number(10))).toMatchObject({
      outcome: 'stale',
      delta: null,
      state,
    });
    expect(nextDelta(state, cumulative(1000, 30_000), number(7)).delta).toBeNull();
    const delta = nextDelta(undefined, { startMs: 0, timeMs: 61_000, cumulative: false }, number(3));
    expect(delta).toMatchObject({ outcome: 'delta', delta: { value: 3 } });
    expect(nextDelta(delta.state, { startMs: 0, timeMs: 61_000, cumulative: false }, number(3)).delta).toBeNull();
  });

  it('subtracts histograms bucket by bucket', () => {
    const h = (values: number[]) => {
      const histogram = new LogHistogram();
      for (const v of values) histogram.add(v);
      return histogram.encode();
    };
    const first = nextDelta(undefined, cumulative(1000, 61_000), { value: 2, sum: 300, hist: h([100, 200]) });
    const next = nextDelta(first.state, cumulative(1000, 121_000), {
      value: 4,
      sum: 1200,
      hist: h([100, 200, 400, 500]),
    });
    const read = new LogHistogram();
    read.mergeEncoded(next.delta!.hist);
    expect(next.delta).toMatchObject({ value: 2, sum: 900 });
    expect(read.total).toBe(2);
    expect(read.quantile(0)).toBeCloseTo(400, -1);
  });

  it('adds up to the increments of any run of exports with restarts in between (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ increment: fc.nat(1000), restart: fc.boolean() }), { minLength: 1, maxLength: 40 }),
        (steps) => {
          let state: SeriesState | undefined;
          let start = 1000;
          let value = 0;
          let time = start;
          let counted = 0;
          let truth = 0;
          for (const step of steps) {
            if (step.restart) {
              start = time + 1;
              value = 0;
            }
            time += 60_000;
            value += step.increment;
            truth += step.increment;
            const result = nextDelta(state, cumulative(start, time), number(value));
            counted += result.delta?.value ?? 0;
            state = result.state;
          }
          // Only the first process's start is far enough back that it could have been a baseline: it is not here.
          return counted === truth;
        },
      ),
    );
  });

  it('names a series by its resource, scope, metric and attributes, whatever their order', () => {
    const a = seriesKey({ 'service.name': 's', x: 1 }, 'scope', 'm', { b: 2, a: 1 });
    expect(seriesKey({ x: 1, 'service.name': 's' }, 'scope', 'm', { a: 1, b: 2 })).toBe(a);
    expect(seriesKey({ 'service.name': 's', x: 1 }, 'scope', 'm', { a: 1, b: 3 })).not.toBe(a);
  });
});
