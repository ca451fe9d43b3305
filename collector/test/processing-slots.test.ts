// The CPU-bound stages take a few requests at a time, in arrival order.

import { describe, expect, it } from 'vitest';
import { ProcessingSlots } from '../src/pipeline/processing-slots.ts';

describe('processing slots', () => {
  it('lets in at most the slots, then the waiting ones in arrival order as slots free', async () => {
    const slots = new ProcessingSlots(2);
    const order: number[] = [];
    const releases = await Promise.all([slots.acquire(), slots.acquire()]);
    const waiting = [3, 4, 5].map(async (n) => {
      const release = await slots.acquire();
      order.push(n);
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    releases[0]!();
    releases[0]!(); // a second release of the same slot frees nothing more
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([3]);
    releases[1]!();
    const third = await waiting[1]!;
    expect(order).toEqual([3, 4]);
    third();
    (await waiting[2]!)();
    (await waiting[0]!)();
    expect(order).toEqual([3, 4, 5]);
  });
});
