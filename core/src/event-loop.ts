// Long loops on the event loop in turns: the collector's writer runs per-span work over batches of
// up to 10,000 spans, 30-100 ms of CPU in one go, during which nothing else in the process (health
// checks, other requests, commits) is served. In turns of ~1,000 items, with a turn of the event
// loop between them, no stretch is longer than a few milliseconds.

import { setImmediate as nextTurn } from 'node:timers/promises';

export const ITEMS_PER_TURN = 1000;

export async function forEachInTurns<T>(
  items: readonly T[],
  each: (item: T) => void,
  perTurn = ITEMS_PER_TURN,
): Promise<void> {
  for (let start = 0; start < items.length; start += perTurn) {
    if (start > 0) await nextTurn();
    const end = Math.min(items.length, start + perTurn);
    for (let i = start; i < end; i++) each(items[i]!);
  }
}
