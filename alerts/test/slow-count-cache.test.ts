// How often the engine recounts a raw-span SLI window, and the cache that holds the counts between.

import { describe, expect, it } from 'vitest';
import { SlowCountCache, recountEveryMs } from '../src/engine/slow-count-cache.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('slow counts', () => {
  it('recounts windows of an hour or less every tick, longer ones at about 1/288 of their length, at most every 30 minutes', () => {
    expect(recountEveryMs(5 * MINUTE)).toBe(0);
    expect(recountEveryMs(HOUR)).toBe(0);
    expect(recountEveryMs(6 * HOUR)).toBe(75_000);
    expect(recountEveryMs(24 * HOUR)).toBe(5 * MINUTE);
    expect(recountEveryMs(72 * HOUR)).toBe(15 * MINUTE);
    expect(recountEveryMs(30 * 24 * HOUR)).toBe(30 * MINUTE);
  });

  it('keeps a count while it is fresh, recounts when it is not (or the clock went back), and forgets failures', async () => {
    const cache = new SlowCountCache<number>();
    let counted = 0;
    const count = async () => ++counted;
    const day = 24 * HOUR;
    expect(await cache.get('k', day, 1_000_000, count)).toBe(1);
    expect(await cache.get('k', day, 1_000_000 + 4 * MINUTE, count)).toBe(1);
    expect(await cache.get('other', day, 1_000_000 + 4 * MINUTE, count)).toBe(2);
    expect(await cache.get('k', day, 1_000_000 + 5 * MINUTE, count)).toBe(3);
    expect(await cache.get('k', day, 1_000_000, count)).toBe(4);
    expect(await cache.get('k', HOUR, 1_000_000, count)).toBe(5);
    await expect(cache.get('bad', day, 0, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await new Promise((r) => setTimeout(r, 0));
    expect(await cache.get('bad', day, 0, count)).toBe(6);
  });
});
