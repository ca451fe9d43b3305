// One group-commit transaction: trace context, model-call counting, COPY, late fix-ups.

import {
  CONTENT_COLUMNS,
  type ChangedSpan,
  contentRow,
  contextOf,
  copyRows,
  DAY_MS,
  encodeSpanRowsInTurns,
  floorTo,
  isCountedModelCall,
  type PricingDay,
  recordPricingDays,
  type BatchDimensions,
  SPAN_ROW_COLUMNS,
  type SpanDimensionCodes,
  type StoredSpan,
  spanRow,
  storedContextOf,
  writeEvaluations,
  writeRollupDeltas,
} from '@vigil/core';
import type pg from 'pg';
import type { RecentSpans } from '../trace/recent-spans.ts';
import { resolveBatchContext } from '../trace/resolve-context.ts';
import {
  applyLateContext,
  type ContextSeed,
  demoteStoredWrappers,
  type FixedSpan,
  lookupStoredSpans,
  recordAwaitingParents,
  takeAwaitingChildren,
} from '../trace/stored-lookup.ts';
import { isTransientDatabaseError } from './errors.ts';
import type { WriteOutcome } from './span-writer.ts';

export interface BatchContext {
  recent: RecentSpans;
  /** `${projectId}:${day}` of the span partitions known to exist. */
  knownPartitionDays: Set<string>;
  /** `${projectId}:${day}:${catalog}` already in pricing_days (bounded; cleared when full). */
  recordedPricingDays: Set<string>;
  /** The span_dimensions codes known committed, shared by the writer's lanes. */
  dimensionCodes: SpanDimensionCodes;
  onUnpricedModel?: ((count: number) => void) | undefined;
  catalogLabel?: ((projectId: string) => string) | undefined;
}

const MAX_RECORDED_PRICING_DAYS = 10_000;

// Spans within this window get their own daily partition; older or later ones land in the default
// partition (kept, never lost) so clock skew cannot make us create partitions forever.
const PARTITION_PAST_DAYS = 7;
const PARTITION_FUTURE_DAYS = 2;

/** Writes the spans of several requests in one transaction; returns an outcome per request. */
export async function writeBatch(
  pool: pg.Pool,
  requests: StoredSpan[][],
  context: BatchContext,
): Promise<WriteOutcome[]> {
  const client = await pool.connect();
  // A connection lost mid-transaction also emits 'error' on the client; the failed query
  // already reports it, so the event must not become an uncaught exception.
  client.on('error', ignoreClientError);
  let broken = false;
  try {
    const all = requests.flat();
    await ensurePartitions(client, all, context.knownPartitionDays);
    await client.query('begin');
    try {
      const stored = await writeInTransaction(client, all, context);
      await client.query('commit');
      stored.dimensions?.commit();
      const storedSet = new Set(stored.spans);
      for (const span of stored.spans) {
        context.recent.remember(span.projectId, span.traceId, span.spanId, {
          parentSpanId: span.parentSpanId,
          context: contextOf(span),
          category: span.category,
        });
      }
      for (const { projectId, traceId, spanId } of stored.demoted) context.recent.demote(projectId, traceId, spanId);
      for (const { projectId, span } of stored.fixed)
        context.recent.updateContext(projectId, span.traceId, span.spanId, span.context);
      if (context.recordedPricingDays.size + stored.pricingDays.length > MAX_RECORDED_PRICING_DAYS)
        context.recordedPricingDays.clear();
      for (const key of stored.pricingDays) context.recordedPricingDays.add(key);
      return requests.map((spans) => {
        const n = spans.filter((s) => storedSet.has(s)).length;
        return { stored: n, duplicates: spans.length - n, refused: 0, refusedReason: null };
      });
    } catch (error) {
      await client.query('rollback').catch(() => {
        broken = true;
      });
      throw error;
    }
  } catch (error) {
    if (isTransientDatabaseError(error)) broken = true;
    throw error;
  } finally {
    client.off('error', ignoreClientError);
    client.release(broken);
  }
}

interface TransactionResult {
  spans: StoredSpan[];
  demoted: { projectId: string; traceId: string; spanId: string }[];
  fixed: { projectId: string; span: FixedSpan }[];
  /** pricing_days keys recorded by this transaction, remembered once it commits. */
  pricingDays: string[];
  /** The span_dimensions codes the spans were written with, cached once the transaction commits. */
  dimensions: BatchDimensions | null;
}

async function writeInTransaction(
  client: pg.ClientBase,
  all: StoredSpan[],
  context: BatchContext,
): Promise<TransactionResult> {
  // A retry sitting in the same batch as its original is caught by the primary key in storeSpans.
  const byProject = groupByProject(all);
  const result: TransactionResult = { spans: [], demoted: [], fixed: [], pricingDays: [], dimensions: null };
  const plans = [];
  const changes: ChangedSpan[] = [];
  for (const [projectId, spans] of byProject) {
    const awaiting = await takeAwaitingChildren(client, projectId, spans);
    const resolved = await resolveBatchContext(
      projectId,
      spans,
      context.recent,
      (request) => lookupStoredSpans(client, projectId, request),
      awaiting,
    );
    plans.push({ projectId, spans, awaiting, resolved });
  }

  result.dimensions = await context.dimensionCodes.resolve(client, all);
  const stored = await storeSpans(client, all, result.dimensions);
  result.spans = stored;
  await copyRows(
    client,
    'span_contents',
    CONTENT_COLUMNS,
    await encodeSpanRowsInTurns(
      stored.filter((s) => s.content),
      contentRow,
    ),
  );
  await writeEvaluations(client, stored);
  const storedSet = new Set(stored);

  for (const { projectId, spans, awaiting, resolved } of plans) {
    await recordAwaitingParents(
      client,
      projectId,
      resolved.orphans
        .filter((s) => storedSet.has(s))
        .map((s) => ({
          traceId: s.traceId,
          parentSpanId: s.parentSpanId!,
          spanId: s.spanId,
          isModelCall: isCountedModelCall(s),
        })),
    );
    changes.push(...(await demoteStoredWrappers(client, projectId, resolved.storedWrappers)));
    for (const w of resolved.storedWrappers) result.demoted.push({ projectId, ...w });
    const parentByKey = new Map(spans.map((s) => [s.traceId + s.spanId, s]));
    const seeds: ContextSeed[] = [];
    for (const child of awaiting) {
      const parent = parentByKey.get(child.traceId + child.parentSpanId);
      if (!parent) continue;
      const inherited = contextOf(parent);
      if (inherited.tenantId || inherited.sessionId || inherited.userId || inherited.surface) {
        seeds.push({ traceId: child.traceId, spanId: child.spanId, context: inherited });
      }
    }
    for (const change of await applyLateContext(client, projectId, seeds)) {
      changes.push(change);
      const { traceId, spanId } = change.after;
      result.fixed.push({ projectId, span: { traceId, spanId, context: storedContextOf(change.after) } });
    }
  }
  await writeRollupDeltas(client, stored, changes);
  await recordUnpricedModels(client, stored, context.onUnpricedModel);
  result.pricingDays = await recordNewPricingDays(client, stored, context);
  return result;
}

/** The days this batch priced calls on, with the catalog it used, unless recorded before. */
async function recordNewPricingDays(
  client: pg.ClientBase,
  spans: StoredSpan[],
  context: BatchContext,
): Promise<string[]> {
  if (!context.catalogLabel) return [];
  const days = new Map<string, PricingDay>();
  // A batch is mostly one project and one day: only a change of either builds a key.
  let lastProject = '';
  let lastDay = Number.NaN;
  for (const span of spans) {
    if (span.costSource !== 'catalog' && span.costSource !== 'override') continue;
    const dayMs = floorTo(span.startMs, DAY_MS);
    if (span.projectId === lastProject && dayMs === lastDay) continue;
    lastProject = span.projectId;
    lastDay = dayMs;
    const catalog = context.catalogLabel(span.projectId);
    const key = `${span.projectId}:${dayMs}:${catalog}`;
    if (!context.recordedPricingDays.has(key) && !days.has(key))
      days.set(key, { projectId: span.projectId, dayMs, catalog });
  }
  await recordPricingDays(client, [...days.values()], 'ingest');
  return [...days.keys()];
}

async function ensurePartitions(client: pg.ClientBase, spans: StoredSpan[], known: Set<string>): Promise<void> {
  const today = Math.floor(Date.now() / DAY_MS);
  const missing = new Map<string, { projectId: string; day: number }>();
  for (const span of spans) {
    const day = Math.floor(span.startMs / DAY_MS);
    if (day < today - PARTITION_PAST_DAYS || day > today + PARTITION_FUTURE_DAYS) continue;
    const key = `${span.projectId}:${day}`;
    if (!known.has(key)) missing.set(key, { projectId: span.projectId, day });
  }
  for (const [key, { projectId, day }] of missing) {
    await client.query('select vigil_ensure_spans_partition($1::uuid, $2::date)', [
      projectId,
      new Date(day * DAY_MS).toISOString().slice(0, 10),
    ]);
    known.add(key);
  }
}

/**
 * The fast path is a plain COPY. A span stored before (a retried export) makes it fail on the
 * primary key; then the batch goes through a staging table with ON CONFLICT DO NOTHING, and only
 * the spans actually inserted count as stored.
 */
async function storeSpans(
  client: pg.ClientBase,
  spans: StoredSpan[],
  dimensions: BatchDimensions,
): Promise<StoredSpan[]> {
  const encode = (span: StoredSpan) => spanRow(span, dimensions.code(span));
  await client.query('savepoint vigil_copy_spans');
  try {
    await copyRows(client, 'span_rows', SPAN_ROW_COLUMNS, await encodeSpanRowsInTurns(spans, encode));
    await client.query('release savepoint vigil_copy_spans');
    return spans;
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await client.query('rollback to savepoint vigil_copy_spans');
  }
  await client.query(
    'create temp table if not exists vigil_span_rows_stage (like span_rows including defaults) on commit delete rows',
  );
  await copyRows(client, 'vigil_span_rows_stage', SPAN_ROW_COLUMNS, await encodeSpanRowsInTurns(spans, encode));
  const columns = SPAN_ROW_COLUMNS.join(', ');
  const { rows: inserted } = await client.query<{ k: string }>(
    `insert into span_rows (${columns}) select ${columns} from vigil_span_rows_stage on conflict do nothing
     returning project_id::text || vigil_trace_hex(trace_id) || vigil_span_hex(span_id) as k`,
  );
  // Each inserted key counts once, for the first copy of a span that sat in the batch twice.
  const insertedKeys = new Set(inserted.map((r) => r.k));
  return spans.filter((s) => insertedKeys.delete(s.projectId + s.traceId + s.spanId));
}

function ignoreClientError(): void {}

function groupByProject(spans: StoredSpan[]): Map<string, StoredSpan[]> {
  const groups = new Map<string, StoredSpan[]>();
  for (const span of spans) {
    let group = groups.get(span.projectId);
    if (!group) groups.set(span.projectId, (group = []));
    group.push(span);
  }
  return groups;
}

async function recordUnpricedModels(
  client: pg.ClientBase,
  spans: StoredSpan[],
  onUnpriced: BatchContext['onUnpricedModel'],
): Promise<void> {
  const counts = new Map<string, { projectId: string; provider: string; model: string; n: number }>();
  for (const span of spans) {
    if (!isCountedModelCall(span) || !span.model || span.costSource !== null) continue;
    // No token counts: its cost is unknown for want of usage, not of a price.
    if (span.inputTokens === null && span.outputTokens === null) continue;
    const key = `${span.projectId}\u0000${span.provider ?? ''}\u0000${span.model}`;
    const entry = counts.get(key);
    if (entry) entry.n++;
    else counts.set(key, { projectId: span.projectId, provider: span.provider ?? '', model: span.model, n: 1 });
  }
  if (counts.size === 0) return;
  const entries = [...counts.values()];
  onUnpriced?.(entries.reduce((n, e) => n + e.n, 0));
  // Sorted, so two lanes upserting the same models take row locks in the same order.
  entries.sort((a, b) => (a.projectId + a.provider + a.model < b.projectId + b.provider + b.model ? -1 : 1));
  await client.query(
    `insert into unpriced_models (project_id, provider, model, span_count)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[])
     on conflict (project_id, provider, model)
     do update set span_count = unpriced_models.span_count + excluded.span_count, last_seen = now()`,
    [
      entries.map((e) => e.projectId),
      entries.map((e) => e.provider),
      entries.map((e) => e.model),
      entries.map((e) => e.n),
    ],
  );
}
