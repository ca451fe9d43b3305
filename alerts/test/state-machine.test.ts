// An alert instance over time: for, keep_firing_for, NoData and Error handling, and which
// transitions call for a notification.

import { describe, expect, it } from 'vitest';
import { INITIAL, type InstanceState, type Observation, type Timing, step } from '../src/state/machine.ts';

const S = 1000;

function run(timing: Timing, observations: [number, Observation][]) {
  let state: InstanceState = INITIAL;
  const trail: { at: number; state: string; notify: string | null }[] = [];
  for (const [at, observation] of observations) {
    const result = step(state, observation, timing, at * S);
    state = result.next;
    trail.push({ at, state: state.state, notify: result.transition });
  }
  return trail;
}

const burn: Timing = { forMs: 0, keepFiringForMs: 0, noData: 'nodata', error: 'error' };

describe('alert state machine', () => {
  it('fires a burn alert on its first true evaluation and resolves on its first false one', () => {
    expect(
      run(burn, [
        [0, 'false'],
        [10, 'true'],
        [20, 'true'],
        [30, 'false'],
        [40, 'false'],
      ]),
    ).toEqual([
      { at: 0, state: 'normal', notify: null },
      { at: 10, state: 'firing', notify: 'firing' },
      { at: 20, state: 'firing', notify: null },
      { at: 30, state: 'resolved', notify: 'resolved' },
      { at: 40, state: 'resolved', notify: null },
    ]);
  });

  it('waits out `for` in Pending, and a flap back to false starts it over', () => {
    const rule: Timing = { ...burn, forMs: 300 * S };
    const trail = run(rule, [
      [0, 'true'],
      [100, 'true'],
      [200, 'false'],
      [210, 'true'],
      [400, 'true'],
      [510, 'true'],
    ]);
    expect(trail.map((t) => t.state)).toEqual(['pending', 'pending', 'normal', 'pending', 'pending', 'firing']);
    expect(trail.filter((t) => t.notify).map((t) => [t.at, t.notify])).toEqual([[510, 'firing']]);
  });

  it('keeps firing through keep_firing_for (Recovering), and resolves only after it', () => {
    const rule: Timing = { ...burn, keepFiringForMs: 60 * S };
    const trail = run(rule, [
      [0, 'true'],
      [10, 'false'],
      [40, 'true'],
      [50, 'false'],
      [90, 'false'],
      [100, 'false'],
    ]);
    expect(trail.map((t) => t.state)).toEqual([
      'firing',
      'recovering',
      'firing',
      'recovering',
      'recovering',
      'resolved',
    ]);
    expect(trail.filter((t) => t.notify).map((t) => t.notify)).toEqual(['firing', 'resolved']);
  });

  it('maps NoData and Error as configured', () => {
    expect(
      run(burn, [
        [0, 'true'],
        [10, 'nodata'],
        [20, 'nodata'],
        [30, 'false'],
      ]).map((t) => [t.state, t.notify]),
    ).toEqual([
      ['firing', 'firing'],
      ['nodata', 'nodata'],
      ['nodata', null],
      ['normal', null],
    ]);
    expect(
      run({ ...burn, noData: 'ok' }, [
        [0, 'true'],
        [10, 'nodata'],
      ]).map((t) => t.state),
    ).toEqual(['firing', 'resolved']);
    expect(run({ ...burn, noData: 'alerting' }, [[0, 'nodata']]).map((t) => t.notify)).toEqual(['firing']);
    expect(
      run({ ...burn, error: 'keep_last' }, [
        [0, 'true'],
        [10, 'error'],
        [20, 'error'],
      ]).map((t) => [t.state, t.notify]),
    ).toEqual([
      ['firing', 'firing'],
      ['firing', null],
      ['firing', null],
    ]);
    expect(run(burn, [[0, 'error']]).map((t) => [t.state, t.notify])).toEqual([['error', 'error']]);
  });

  it('never notifies twice for one incident, however long it fires', () => {
    const trail = run(
      burn,
      Array.from({ length: 100 }, (_, i) => [i * 10, 'true'] as [number, Observation]),
    );
    expect(trail.filter((t) => t.notify)).toHaveLength(1);
  });
});
