// The background work that keeps rollups and partitions in shape: compaction every few seconds,
// partitions ahead and retention every hour, and moving older spans' captured content apart.
// Safe to run in several processes at once.

import type pg from 'pg';
import { moveStoredContent } from '../spans/move-content.ts';
import { compactRollups, type CompactionResult } from './compactor.ts';
import { DEFAULT_RETENTION, enforceRetention, ensureSpanPartitionsAhead, type RetentionSettings } from './retention.ts';

/** Waits this many times a round's duration before the next: at most a third of the time compacting. */
const DUTY_CYCLE_WAIT = 2;

export interface MaintenanceOptions {
  compactEveryMs: number;
  housekeepingEveryMs?: number;
  retention?: RetentionSettings;
  log?: (message: string) => void;
  onCompaction?: (result: CompactionResult, durationMs: number) => void;
}

export interface Maintenance {
  stop(): Promise<void>;
}

export function startMaintenance(pool: pg.Pool, options: MaintenanceOptions): Maintenance {
  const log = options.log ?? (() => {});
  const housekeepingEveryMs = options.housekeepingEveryMs ?? 3_600_000;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let lastHousekeeping = 0;
  let failures = 0;

  const round = async (): Promise<void> => {
    try {
      if (Date.now() - lastHousekeeping >= housekeepingEveryMs) {
        await ensureSpanPartitionsAhead(pool);
        const retention = await enforceRetention(pool, options.retention ?? DEFAULT_RETENTION);
        if (retention.droppedPartitions.length > 0)
          log(`retention: dropped ${retention.droppedPartitions.length} span partitions`);
        lastHousekeeping = Date.now();
      }
      // Content stored in spans before span_contents existed, moved a second's worth per round.
      const moved = await moveStoredContent(pool);
      if (moved > 0) log(`content: moved the captured content of ${moved} older spans to span_contents`);
      const started = performance.now();
      const result = await compactRollups(pool);
      if (result) options.onCompaction?.(result, performance.now() - started);
      failures = 0;
    } catch (error) {
      // The database may be restarting; the next round retries. Say so once, not every round.
      if (failures++ === 0) log(`rollup maintenance failed, will retry: ${(error as Error).message}`);
    }
  };

  // The next round starts compactEveryMs after this one ends, or later when rounds are slow: a
  // compaction takes at most a third of the time, so a burst of ingest is not slowed by folding
  // it in. Queries read the pending deltas meanwhile, so answers stay exact, only a little slower.
  let timer: NodeJS.Timeout | null = null;
  const schedule = (delayMs: number): void => {
    timer = setTimeout(() => {
      const started = performance.now();
      running = round().then(() => {
        if (!stopped) schedule(Math.max(options.compactEveryMs, DUTY_CYCLE_WAIT * (performance.now() - started)));
      });
    }, delayMs);
    timer.unref();
  };
  schedule(options.compactEveryMs);

  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
