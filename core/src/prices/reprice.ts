// Re-pricing history: the current catalog and the project's own prices applied to stored calls,
// one UTC day per transaction. Each day's changed calls are updated in `spans` (which
// `ai_api_calls` reads), the day's rollups are rebuilt from its spans (so their sums and cost
// distributions match raw spans exactly, including days rolled up before cost distributions were
// kept), sessions move by deltas, and `pricing_days` says which catalog now priced the day.
// Running it twice changes nothing the second time.

import type pg from 'pg';
import { COMPACTOR_LOCK } from '../rollups/compactor.ts';
import { type ChangedSpan, replaceDayRollups, writeSessionDeltas } from '../rollups/deltas.ts';
import { DAY_MS, floorTo, RollupMap } from '../rollups/rollup-rows.ts';
import {
  isCountedModelCall,
  ROLLUP_SPAN_FIELDS,
  type RollupSpan,
  type SpanField,
  selectSpanFields,
  spanIdInteger,
} from '../spans/index.ts';
import type { PriceCatalog } from './catalog.ts';
import { type PricedSpan, priceSpan } from './price-spans.ts';
import { recordPricingDays } from './pricing-days.ts';

export interface RepriceOptions {
  projectId: string;
  /** Epoch ms; whole UTC days from the one holding `fromMs` up to the one before `toMs`. */
  fromMs: number;
  toMs: number;
  /** Only this model's calls are re-priced (the day's rollups are rebuilt all the same). */
  model?: string;
  catalog: PriceCatalog;
  /** Spans read per round trip. */
  chunkSize?: number;
}

export interface RepricedDay {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Model calls looked at, and those whose cost changed. */
  calls: number;
  changed: number;
  beforeUsd: number;
  afterUsd: number;
}

type RepriceSpan = RollupSpan & PricedSpan;

const FIELDS: SpanField[] = [
  ...new Set<SpanField>([
    ...ROLLUP_SPAN_FIELDS,
    'cacheWrite1hTokens',
    'reportedCostUsd',
    'costSource',
    'model',
    'provider',
    'startMs',
  ]),
];
const SELECT_DAY = `select ${selectSpanFields(FIELDS)} from spans s
  where s.project_id = $1 and s.start_time >= $2 and s.start_time < $3`;

const SERIALIZATION_FAILURE = '40001';
const MAX_ATTEMPTS = 5;

export async function repriceDays(
  pool: pg.Pool,
  options: RepriceOptions,
  onDay: (day: RepricedDay) => void = () => {},
): Promise<RepricedDay[]> {
  const days: RepricedDay[] = [];
  for (let dayMs = floorTo(options.fromMs, DAY_MS); dayMs < options.toMs; dayMs += DAY_MS) {
    const report = await repriceDayWithRetry(pool, options, dayMs);
    days.push(report);
    onDay(report);
  }
  return days;
}

async function repriceDayWithRetry(pool: pg.Pool, options: RepriceOptions, dayMs: number): Promise<RepricedDay> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await repriceDay(pool, options, dayMs);
    } catch (error) {
      // Ingest fixed up one of the day's spans meanwhile: the day is done again from a new snapshot.
      if ((error as { code?: string }).code !== SERIALIZATION_FAILURE || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function repriceDay(pool: pg.Pool, options: RepriceOptions, dayMs: number): Promise<RepricedDay> {
  const client = await pool.connect();
  const report: RepricedDay = {
    day: new Date(dayMs).toISOString().slice(0, 10),
    calls: 0,
    changed: 0,
    beforeUsd: 0,
    afterUsd: 0,
  };
  // The compactor's lock, held for the whole transaction (taken before its snapshot): no round
  // folds or sweeps the day's rollup rows while they are rebuilt. Spans the collector commits
  // meanwhile are outside this snapshot, and so are their pending deltas, which stay.
  await client.query('select pg_advisory_lock($1)', [COMPACTOR_LOCK]);
  try {
    await client.query('begin isolation level repeatable read');
    try {
      const rollups = new RollupMap();
      await client.query(`declare reprice_day no scroll cursor for ${SELECT_DAY}`, [
        options.projectId,
        new Date(dayMs),
        new Date(dayMs + DAY_MS),
      ]);
      const chunk = options.chunkSize ?? 10_000;
      for (;;) {
        const { rows } = await client.query<RepriceSpan>(`fetch ${chunk} from reprice_day`);
        if (rows.length === 0) break;
        const changes: ChangedSpan[] = [];
        for (const span of rows) {
          if (isCountedModelCall(span) && (!options.model || span.model === options.model)) {
            const before = { ...span };
            priceSpan(span, options.catalog);
            report.calls++;
            report.beforeUsd += before.costUsd ?? 0;
            report.afterUsd += span.costUsd ?? 0;
            if (before.costUsd !== span.costUsd || before.costSource !== span.costSource)
              changes.push({ before, after: span });
          }
          rollups.addSpan(span, 1);
        }
        await updateCosts(client, options.projectId, dayMs, changes);
        await writeSessionDeltas(client, changes);
        report.changed += changes.length;
      }
      await client.query('close reprice_day');
      await replaceDayRollups(client, options.projectId, dayMs, rollups);
      await recordPricingDays(
        client,
        [{ projectId: options.projectId, dayMs, catalog: options.catalog.label }],
        'reprice',
      );
      await client.query('commit');
      return report;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [COMPACTOR_LOCK]).catch(() => {});
    client.release();
  }
}

/** The changed calls' new cost, in spans (ai_api_calls reads them there), by their keys. */
async function updateCosts(
  client: pg.ClientBase,
  projectId: string,
  dayMs: number,
  changes: readonly ChangedSpan[],
): Promise<void> {
  if (changes.length === 0) return;
  const spans = changes.map((c) => c.after as RepriceSpan);
  const traceIds = spans.map((s) => s.traceId);
  const spanIds = spans.map((s) => spanIdInteger(s.spanId));
  const costs = spans.map((s) => s.costUsd);
  const sources = spans.map((s) => s.costSource);
  // By trace and span id within the day (its partition): start times are kept to the microsecond,
  // which a round trip through epoch milliseconds would not match exactly.
  await client.query(
    `update spans s set cost_usd = v.cost, cost_source = v.source
       from unnest($4::uuid[], $5::bigint[], $6::numeric[], $7::text[]) as v(trace_id, span_id, cost, source)
      where s.project_id = $1 and s.start_time >= $2 and s.start_time < $3
        and s.trace_id = v.trace_id and s.span_id = v.span_id`,
    [projectId, new Date(dayMs), new Date(dayMs + DAY_MS), traceIds, spanIds, costs, sources],
  );
}
