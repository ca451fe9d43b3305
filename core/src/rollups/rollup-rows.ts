// Rollup rows in memory: keyed aggregates that spans are added to (or removed from, sign -1) and
// stored rows are merged into. The collector builds pending deltas with it; the compactor merges.

import { HistogramBuilder } from '../histogram/log-histogram.ts';
import { copyBytea, copyNumber, copyText, copyTimestamp } from '../db/copy-text.ts';
import { CopyBuffer } from '../db/copy-buffer.ts';
import { DIMENSIONS, type Dimension } from './cuboids.ts';
import { NO_TENANT, type RollupSpan } from '../spans/index.ts';

export type { RollupSpan } from '../spans/index.ts';
import { USAGE_COLUMNS, UsageTotals, type UsageColumns } from './usage-totals.ts';

export const MINUTE_MS = 60_000;

/**
 * The cost histograms hold each priced model call's cost in micro-dollars: the log buckets span
 * 1e-3 to 1e9 units, so $0.000000001 to $1000 a call, each within 1% (log-histogram.ts).
 */
export const COST_HISTOGRAM_UNITS_PER_USD = 1e6;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The dimension values of a row, '' where the span has none or the cuboid sums over it. */
export type DimensionValues = Record<Exclude<Dimension, 'tenant_id'>, string>;

export interface RollupKey {
  projectId: string;
  tenantId: string;
  cuboid: number;
  bucketMs: number;
  dims: DimensionValues;
}

export class RollupAggregate {
  spanCount = 0;
  rootCount = 0;
  errorCount = 0;
  durationSumMs = 0;
  /** Spans whose duration is unknown: counted as calls, left out of latency. */
  untimedCount = 0;
  readonly latency = new HistogramBuilder();
  ttftCount = 0;
  ttftSumMs = 0;
  readonly ttft = new HistogramBuilder();
  /** Model calls with a known cost, and the distribution of those costs. */
  pricedCalls = 0;
  readonly cost = new HistogramBuilder();
  readonly usage = new UsageTotals();
  /** Cache lookups that said whether they hit (spans.cache_hit); the rest are not counted. */
  cacheHits = 0;
  cacheMisses = 0;

  readonly key: RollupKey;

  constructor(key: RollupKey) {
    this.key = key;
  }

  addSpan(span: RollupSpan, sign: 1 | -1): void {
    this.spanCount += sign;
    if (span.parentSpanId === null) this.rootCount += sign;
    if (span.status === 'error') this.errorCount += sign;
    if (span.durationMs === null) this.untimedCount += sign;
    else {
      this.durationSumMs += sign * span.durationMs;
      this.latency.add(span.durationMs, sign);
    }
    if (span.ttftMs !== null) {
      this.ttftCount += sign;
      this.ttftSumMs += sign * span.ttftMs;
      this.ttft.add(span.ttftMs, sign);
    }
    if (span.category === 'model' && span.costUsd !== null) {
      this.pricedCalls += sign;
      this.cost.add(span.costUsd * COST_HISTOGRAM_UNITS_PER_USD, sign);
    }
    if (span.cacheHit === true) this.cacheHits += sign;
    else if (span.cacheHit === false) this.cacheMisses += sign;
    this.usage.addSpan(span, sign);
  }

  /** concatenated: the row's histograms are several rows' merged by SQL, to be normalised. */
  merge(row: StoredRollupRow, sign: 1 | -1 = 1, concatenated = false): void {
    this.spanCount += sign * row.span_count;
    this.rootCount += sign * row.root_count;
    this.errorCount += sign * row.error_count;
    this.durationSumMs += sign * row.duration_sum_ms;
    this.untimedCount += sign * Number(row.untimed_count);
    this.latency.mergeEncoded(row.latency_hist, sign, concatenated);
    this.ttftCount += sign * row.ttft_count;
    this.ttftSumMs += sign * row.ttft_sum_ms;
    this.ttft.mergeEncoded(row.ttft_hist, sign, concatenated);
    this.pricedCalls += sign * row.priced_calls;
    this.cost.mergeEncoded(row.cost_hist, sign, concatenated);
    this.cacheHits += sign * Number(row.cache_hits);
    this.cacheMisses += sign * Number(row.cache_misses);
    this.usage.addRow(row, sign);
  }

  mergeAggregate(other: RollupAggregate): void {
    this.spanCount += other.spanCount;
    this.rootCount += other.rootCount;
    this.errorCount += other.errorCount;
    this.durationSumMs += other.durationSumMs;
    this.untimedCount += other.untimedCount;
    this.latency.merge(other.latency);
    this.ttftCount += other.ttftCount;
    this.ttftSumMs += other.ttftSumMs;
    this.ttft.merge(other.ttft);
    this.pricedCalls += other.pricedCalls;
    this.cost.merge(other.cost);
    this.cacheHits += other.cacheHits;
    this.cacheMisses += other.cacheMisses;
    this.usage.merge(other.usage);
  }

  /** True when adds and removes cancelled out: nothing worth a row (a metric delta may carry only tokens or cost). */
  isZero(): boolean {
    return this.spanCount === 0 && this.usage.isZero() && this.latency.isEmpty() && this.ttft.isEmpty();
  }
}

/** A rollup row as Postgres returns it (bigint and numeric parsed as numbers, bytea as Buffer). */
export interface StoredRollupRow extends UsageColumns {
  project_id: string;
  tenant_id: string;
  cuboid: number;
  bucket: Date;
  service_name: string;
  category: string;
  surface: string;
  model: string;
  provider: string;
  deployment: string;
  status: string;
  span_count: number;
  root_count: number;
  error_count: number;
  duration_sum_ms: number;
  untimed_count: number;
  latency_hist: Uint8Array | null;
  ttft_count: number;
  ttft_sum_ms: number;
  ttft_hist: Uint8Array | null;
  priced_calls: number;
  /** Null on rows built before cost distributions were kept (20261202000000_usage_detail.sql). */
  cost_hist: Uint8Array | null;
  cache_hits: number;
  cache_misses: number;
}

/** The dimensions a row keys by besides the tenant ('' where the span has none or the cuboid sums over it). */
const DIM_NAMES = DIMENSIONS.filter((d): d is Exclude<Dimension, 'tenant_id'> => d !== 'tenant_id');

export const ROLLUP_KEY_COLUMNS = ['project_id', 'tenant_id', 'cuboid', 'bucket', ...DIM_NAMES] as const;

export const ROLLUP_METRIC_COLUMNS = [
  'span_count',
  'root_count',
  'error_count',
  'duration_sum_ms',
  'untimed_count',
  'latency_hist',
  'ttft_count',
  'ttft_sum_ms',
  'ttft_hist',
  'priced_calls',
  'cost_hist',
  ...USAGE_COLUMNS,
  'cache_hits',
  'cache_misses',
] as const;

export const ROLLUP_COLUMNS = [...ROLLUP_KEY_COLUMNS, 'pending', 'swept', ...ROLLUP_METRIC_COLUMNS] as const;

export type MetricColumn = (typeof ROLLUP_METRIC_COLUMNS)[number];
export type HistogramColumn = Extract<MetricColumn, `${string}_hist`>;
export const HISTOGRAM_COLUMNS = ROLLUP_METRIC_COLUMNS.filter((c): c is HistogramColumn => c.endsWith('_hist'));

/** The SQL that merges rows of one key: sums, and histogram concatenation (see the migration). */
export const ROLLUP_MERGE_SQL = ROLLUP_METRIC_COLUMNS.map((c) =>
  c.endsWith('_hist') ? `string_agg(${c}, ''::bytea) as ${c}` : `sum(${c}) as ${c}`,
).join(', ');

export function dimensionsOfSpan(span: RollupSpan): DimensionValues {
  return {
    service_name: span.serviceName,
    category: span.category,
    surface: span.surface ?? '',
    model: span.model ?? '',
    provider: span.provider ?? '',
    deployment: span.deployment ?? '',
    status: span.status,
  };
}

export function dimensionsOfRow(row: Pick<StoredRollupRow, (typeof DIM_NAMES)[number]>): DimensionValues {
  return {
    service_name: row.service_name,
    category: row.category,
    surface: row.surface,
    model: row.model,
    provider: row.provider,
    deployment: row.deployment,
    status: row.status,
  };
}

export function keyString(key: RollupKey): string {
  const d = key.dims;
  return `${key.projectId}\u0001${key.tenantId}\u0001${key.cuboid}\u0001${key.bucketMs}\u0001${d.service_name}\u0001${d.category}\u0001${d.surface}\u0001${d.model}\u0001${d.provider}\u0001${d.deployment}\u0001${d.status}`;
}

export function floorTo(ms: number, grainMs: number): number {
  return Math.floor(ms / grainMs) * grainMs;
}

export function ceilTo(ms: number, grainMs: number): number {
  return Math.ceil(ms / grainMs) * grainMs;
}

/** Aggregates by key. */
export class RollupMap {
  readonly rows = new Map<string, RollupAggregate>();

  get(key: RollupKey): RollupAggregate {
    const k = keyString(key);
    let row = this.rows.get(k);
    if (!row) this.rows.set(k, (row = new RollupAggregate(key)));
    return row;
  }

  /** Adds a span to its full-dimension minute row: the pending delta the collector writes. */
  addSpan(span: RollupSpan, sign: 1 | -1): void {
    // The ingest hot path: the key object is only built for a key not seen in this batch yet.
    const tenantId = span.tenantId ?? NO_TENANT;
    const bucketMs = floorTo(span.startMs, MINUTE_MS);
    const k =
      `${span.projectId}\u0001${tenantId}\u00010\u0001${bucketMs}\u0001${span.serviceName}\u0001${span.category}\u0001${span.surface ?? ''}` +
      `\u0001${span.model ?? ''}\u0001${span.provider ?? ''}\u0001${span.deployment ?? ''}\u0001${span.status}`;
    let row = this.rows.get(k);
    if (!row) {
      row = new RollupAggregate({
        projectId: span.projectId,
        tenantId,
        cuboid: 0,
        bucketMs,
        dims: dimensionsOfSpan(span),
      });
      this.rows.set(k, row);
    }
    row.addSpan(span, sign);
  }

  /** concatenated: the row comes from a SQL merge (string_agg), its histograms need normalising. */
  addRow(row: StoredRollupRow, concatenated = false): void {
    this.get({
      projectId: row.project_id,
      tenantId: row.tenant_id,
      cuboid: row.cuboid,
      bucketMs: row.bucket.getTime(),
      dims: dimensionsOfRow(row),
    }).merge(row, 1, concatenated);
  }

  get size(): number {
    return this.rows.size;
  }

  /**
   * COPY text rows for ROLLUP_COLUMNS, leaving out keys whose deltas cancelled out. `extra` adds
   * columns after them (tab-separated COPY text), for tables that extend a rollup row.
   */
  toCopy(flags: {
    pending: boolean;
    swept: boolean | ((key: RollupKey) => boolean);
    extra?: (key: RollupKey) => string;
  }): CopyBuffer {
    const data = new CopyBuffer();
    const swept = flags.swept;
    const tailOf = (s: boolean) => `\t${flags.pending ? 't' : 'f'}\t${s ? 't' : 'f'}\t`;
    for (const row of this.rows.values()) {
      if (row.isZero()) continue;
      const tail = tailOf(typeof swept === 'function' ? swept(row.key) : swept);
      const k = row.key;
      const d = k.dims;
      data.push(
        k.projectId +
          '\t' +
          copyText(k.tenantId) +
          '\t' +
          k.cuboid +
          '\t' +
          copyTimestamp(k.bucketMs) +
          '\t' +
          copyText(d.service_name) +
          '\t' +
          d.category +
          '\t' +
          copyText(d.surface) +
          '\t' +
          copyText(d.model) +
          '\t' +
          copyText(d.provider) +
          '\t' +
          copyText(d.deployment) +
          '\t' +
          d.status +
          tail +
          row.spanCount +
          '\t' +
          row.rootCount +
          '\t' +
          row.errorCount +
          '\t' +
          copyNumber(row.durationSumMs) +
          '\t' +
          row.untimedCount +
          '\t' +
          copyBytea(row.latency.encode()) +
          '\t' +
          row.ttftCount +
          '\t' +
          copyNumber(row.ttftSumMs) +
          '\t' +
          copyBytea(row.ttft.encode()) +
          '\t' +
          row.pricedCalls +
          '\t' +
          copyBytea(row.cost.encode()) +
          '\t' +
          row.usage.toCopy() +
          '\t' +
          row.cacheHits +
          '\t' +
          row.cacheMisses +
          (flags.extra ? `\t${flags.extra(k)}` : '') +
          '\n',
      );
    }
    return data;
  }
}
