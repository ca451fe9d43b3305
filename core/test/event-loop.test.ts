// Long loops in turns: every item in order, with other work served between turns.

import { describe, expect, it } from 'vitest';
import { forEachInTurns } from '../src/index.ts';

describe('forEachInTurns', () => {
  it('visits every item in order, and lets other callbacks run between turns', async () => {
    const seen: number[] = [];
    let interleavedAt = -1;
    setImmediate(() => {
      interleavedAt = seen.length;
    });
    await forEachInTurns(
      Array.from({ length: 25 }, (_, i) => i),
      (i) => seen.push(i),
      10,
    );
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
    // The callback ran after the first turn, not after the whole loop.
    expect(interleavedAt).toBe(10);
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await forEachInTurns([], () => calls++);
    expect(calls).toBe(0);
  });
});
