// The metrics signal's pipeline: decoded points → measures (normalize/metric-rules.ts) → deltas per
// series (series.ts, with each series' last point in metric_series) → rollup deltas by minute and
// key, priced from the catalog when the tokens' model has a price, else at the emitter's reported
// cost → held in metric_rollup_deltas (core's metric-deltas.ts decides at release whether spans
// already counted the same calls). One transaction per request, acknowledged once committed.
//
// Series state is read and written under a per-project advisory lock, so two requests carrying
// points of one series (two exporters' retries, two collectors) never both count the same delta.
// At most METRIC_COMMITS requests hold a database connection at once: the pool is shared with the
// span writer, and a burst of metric requests waiting on one project's lock must not take it all.

import {
  addExplicitBuckets,
  addExponentialBuckets,
  holdMetricDeltas,
  keyString,
  LogHistogram,
  MINUTE_MS,
  type Project,
  type RollupKey,
  RollupMap,
  floorTo,
  NO_TENANT,
} from '@vigil/core';
import type pg from 'pg';
import type { CollectorMetrics } from '../metrics.ts';
import { measureOf, type MetricMeasure, metricDimensions, msPerUnit } from '../normalize/metric-rules.ts';
import type { PartialSuccess } from '../otlp/encode-response.ts';
import type { DecodedMetric, DecodedMetrics, Attributes } from '../otlp/types.ts';
import type { ProjectDirectory } from '../projects/project-directory.ts';
import { ProcessingSlots } from '../pipeline/processing-slots.ts';
import { DatabaseUnavailableError, SpansRefusedError } from '../writer/errors.ts';
import { type DeltaOutcome, nextDelta, type PointValue, type SeriesState, seriesKey } from './series.ts';

/** One point Vigil reads, before its delta is known. */
interface Observation {
  key: string;
  tenantId: string;
  /** The session the points name, if any: held deltas are matched against spans by it. */
  sessionId: string | null;
  measure: MetricMeasure;
  rollupKey: RollupKey;
  cumulative: boolean;
  startMs: number;
  timeMs: number;
  value: PointValue;
  /** Milliseconds per unit of a duration histogram. */
  msPerUnit: number;
}

export interface MetricOutcome {
  /** Points read as measures and counted (deltas not yet seen). */
  counted: number;
  partialSuccess?: PartialSuccess;
}

export interface MetricPipelineDeps {
  pool: pg.Pool;
  projects: ProjectDirectory;
  metrics: CollectorMetrics;
}

/** Metric requests committing at once (each holds one pooled connection); the rest wait their turn. */
export const METRIC_COMMITS = 2;

export class MetricPipeline {
  private readonly deps: MetricPipelineDeps;
  private readonly commits = new ProcessingSlots(METRIC_COMMITS);

  constructor(deps: MetricPipelineDeps) {
    this.deps = deps;
  }

  async consume(project: Project, decoded: DecodedMetrics): Promise<MetricOutcome> {
    const { metrics } = this.deps;
    metrics.metricPointsReceived.inc(decoded.pointCount);
    if (decoded.rejectedPoints > 0)
      metrics.metricPointsRejected.inc({ reason: 'invalid_point' }, decoded.rejectedPoints);
    const observations = observe(project, decoded);
    const notRead = decoded.pointCount - observations.length;
    if (notRead > 0) metrics.metricPointsNotStored.inc({ reason: 'not_read' }, notRead);
    let counted = 0;
    if (observations.length > 0) {
      const release = await this.commits.acquire();
      const outcomes = await this.commit(project, observations).finally(release);
      for (const [outcome, n] of outcomes) metrics.metricPointsRead.inc({ outcome }, n);
      counted = observations.length - (outcomes.get('stale') ?? 0) - (outcomes.get('baseline') ?? 0);
    }
    const partialSuccess = partialSuccessOf(decoded);
    return { counted, ...(partialSuccess ? { partialSuccess } : {}) };
  }

  private async commit(project: Project, observations: Observation[]): Promise<Map<DeltaOutcome, number>> {
    const catalog = await this.deps.projects.priceCatalog(project.id).catch((error: unknown) => {
      throw new DatabaseUnavailableError(`price overrides unavailable: ${(error as Error).message}`);
    });
    let client: pg.PoolClient;
    try {
      client = await this.deps.pool.connect();
    } catch (error) {
      throw new DatabaseUnavailableError((error as Error).message);
    }
    try {
      await client.query('begin');
      await client.query(`select pg_advisory_xact_lock(hashtextextended('vigil.metric_series:' || $1, 0))`, [
        project.id,
      ]);
      const keys = [...new Set(observations.map((o) => o.key))];
      const { rows } = await client.query<{
        series_key: string;
        start_ms: number;
        time_ms: number;
        value: number;
        sum: number;
        hist: Buffer | null;
      }>(
        'select series_key, start_ms, time_ms, value, sum, hist from metric_series where project_id = $1 and series_key = any($2)',
        [project.id, keys],
      );
      const states = new Map<string, SeriesState>(
        rows.map((r) => [
          r.series_key,
          { startMs: r.start_ms, timeMs: r.time_ms, value: r.value, sum: r.sum, hist: r.hist },
        ]),
      );
      const bySession = new Map<string | null, RollupMap>();
      const reported = new Map<string, number>();
      const coversFrom = new Map<string, number>();
      const outcomes = new Map<DeltaOutcome, number>();
      const changed = new Map<string, { tenantId: string; state: SeriesState }>();
      // In time order, so several points of one series in one request follow each other.
      observations.sort((a, b) => a.timeMs - b.timeMs);
      for (const o of observations) {
        const { outcome, delta, coversFromMs, state } = nextDelta(states.get(o.key), o, o.value);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        if (state !== states.get(o.key)) {
          states.set(o.key, state);
          changed.set(o.key, { tenantId: o.tenantId, state });
        }
        if (!delta) continue;
        let rollups = bySession.get(o.sessionId);
        if (!rollups) bySession.set(o.sessionId, (rollups = new RollupMap()));
        const row = rollups.get(o.rollupKey);
        const rowKey = sessionRowKey(o.sessionId, o.rollupKey);
        coversFrom.set(rowKey, Math.min(coversFrom.get(rowKey) ?? Number.POSITIVE_INFINITY, coversFromMs));
        addDelta(row, o, delta, reported, rowKey);
      }
      await writeSeries(client, project.id, changed);
      for (const [sessionId, rollups] of bySession) {
        priceRows(rollups, (key) => reported.get(sessionRowKey(sessionId, key)), catalog);
        await holdMetricDeltas(
          client,
          rollups,
          sessionId,
          (key) => coversFrom.get(sessionRowKey(sessionId, key)) ?? key.bucketMs,
        );
      }
      await client.query('commit');
      return outcomes;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      if (error instanceof DatabaseUnavailableError) throw error;
      // A value Postgres refuses (SQLSTATE class 22, data exception: a count out of range) would be
      // refused again on every retry: the points are bad data, not an outage.
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('22'))
        throw new SpansRefusedError(`metric points refused by the database: ${(error as Error).message}`);
      throw new DatabaseUnavailableError(`metric points not stored: ${(error as Error).message}`);
    } finally {
      client.release();
    }
  }
}

/** A held row's identity: its rollup key within its session (held rows are kept apart by session). */
const sessionRowKey = (sessionId: string | null, key: RollupKey) => `${sessionId ?? ''}\u0001${keyString(key)}`;

/** The points of a request that Vigil reads, with their series, dimensions and readings. */
function observe(project: Project, decoded: DecodedMetrics): Observation[] {
  const observations: Observation[] = [];
  for (const { resource, scopeMetrics } of decoded.resourceMetrics)
    for (const scope of scopeMetrics)
      for (const metric of scope.metrics) observeMetric(project, resource, scope.scopeName, metric, observations);
  return observations;
}

function observeMetric(
  project: Project,
  resource: Attributes,
  scopeName: string,
  metric: DecodedMetric,
  into: Observation[],
): void {
  const { data } = metric;
  // Gauges and up-down sums measure nothing Vigil adds up.
  if (data.kind === 'gauge' || data.kind === 'other' || (data.kind === 'sum' && !data.monotonic)) return;
  const cumulative = data.temporality === 'cumulative';
  const unitMs = msPerUnit(metric.unit);
  for (const point of data.points) {
    const measure = measureOf(metric.name, point.attributes);
    if (!measure) continue;
    let value: PointValue;
    if ('value' in point) value = { value: point.value, sum: point.value, hist: null };
    else {
      let hist: Uint8Array | null = null;
      if (measure.kind === 'calls' || measure.kind === 'ttft') {
        const h = new LogHistogram();
        if ('bounds' in point)
          addExplicitBuckets(
            h,
            { bounds: point.bounds, counts: point.bucketCounts, min: point.min, max: point.max },
            unitMs,
          );
        else addExponentialBuckets(h, point, unitMs);
        hist = h.encode();
      }
      value = { value: point.count, sum: point.sum ?? 0, hist };
    }
    const dims = metricDimensions(point.attributes, resource, project.tenantAttributeKeys);
    const tenantId = dims.tenantId ?? NO_TENANT;
    into.push({
      key: seriesKey(resource, scopeName, metric.name, point.attributes),
      tenantId,
      sessionId: dims.sessionId,
      measure,
      cumulative,
      startMs: point.startMs,
      timeMs: point.timeMs,
      value,
      msPerUnit: unitMs,
      rollupKey: {
        projectId: project.id,
        tenantId,
        cuboid: 0,
        bucketMs: floorTo(point.timeMs, MINUTE_MS),
        dims: {
          service_name: dims.serviceName,
          category: 'model',
          surface: dims.surface ?? '',
          model: dims.model ?? '',
          provider: dims.provider ?? '',
          deployment: dims.deployment ?? '',
          status: dims.status,
        },
      },
    });
  }
}

function addDelta(
  row: ReturnType<RollupMap['get']>,
  o: Observation,
  delta: PointValue,
  reported: Map<string, number>,
  rowKey: string,
): void {
  const m = o.measure;
  if (m.kind === 'calls') {
    row.spanCount += delta.value;
    row.usage.modelCalls += delta.value;
    if (o.rollupKey.dims.status === 'error') row.errorCount += delta.value;
    row.durationSumMs += delta.sum * o.msPerUnit;
    row.latency.mergeEncoded(delta.hist);
  } else if (m.kind === 'ttft') {
    row.ttftCount += delta.value;
    row.ttftSumMs += delta.sum * o.msPerUnit;
    row.ttft.mergeEncoded(delta.hist);
  } else if (m.kind === 'cost') {
    reported.set(rowKey, (reported.get(rowKey) ?? 0) + delta.sum);
  } else {
    // A histogram of token counts sums them; a counter's value is the count.
    const n = delta.sum;
    const usage = row.usage;
    if (m.type === 'input') usage.inputTokens += n;
    else if (m.type === 'output') usage.outputTokens += n;
    else if (m.type === 'cacheRead') usage.cacheReadTokens += n;
    else if (m.type === 'cacheWrite') usage.cacheWriteTokens += n;
    else usage.reasoningTokens += n;
    if (m.addToInput) usage.inputTokens += n;
  }
}

/** Each row's cost: the catalog's price of its tokens when the model has one, else what the emitter reported. */
function priceRows(
  rollups: RollupMap,
  reported: (key: RollupKey) => number | undefined,
  catalog: Awaited<ReturnType<ProjectDirectory['priceCatalog']>>,
): void {
  for (const row of rollups.rows.values()) {
    const u = row.usage;
    const { model, provider } = row.key.dims;
    const hasTokens = u.inputTokens !== 0 || u.outputTokens !== 0;
    const priced =
      model && hasTokens
        ? catalog.price({
            provider: provider || null,
            model,
            atMs: row.key.bucketMs,
            usage: {
              inputTokens: u.inputTokens,
              outputTokens: u.outputTokens,
              cacheReadTokens: u.cacheReadTokens,
              cacheWriteTokens: u.cacheWriteTokens,
              cacheWrite1hTokens: null,
              reasoningTokens: u.reasoningTokens,
            },
          }).costUsd
        : null;
    u.costUsd = priced ?? reported(row.key) ?? 0;
  }
}

async function writeSeries(
  client: pg.ClientBase,
  projectId: string,
  changed: Map<string, { tenantId: string; state: SeriesState }>,
): Promise<void> {
  if (changed.size === 0) return;
  const entries = [...changed];
  await client.query(
    `insert into metric_series (project_id, series_key, tenant_id, start_ms, time_ms, value, sum, hist, seen_at)
     select $1, k, t, s, tm, v, su, h, now()
       from unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::bytea[])
         as x(k, t, s, tm, v, su, h)
     on conflict (project_id, series_key) do update
       set start_ms = excluded.start_ms, time_ms = excluded.time_ms, value = excluded.value,
           sum = excluded.sum, hist = excluded.hist, seen_at = excluded.seen_at`,
    [
      projectId,
      entries.map(([key]) => key),
      entries.map(([, c]) => c.tenantId),
      entries.map(([, c]) => c.state.startMs),
      entries.map(([, c]) => c.state.timeMs),
      entries.map(([, c]) => c.state.value),
      entries.map(([, c]) => c.state.sum),
      entries.map(([, c]) => (c.state.hist ? Buffer.from(c.state.hist) : null)),
    ],
  );
}

function partialSuccessOf(decoded: DecodedMetrics): PartialSuccess | undefined {
  const messages: string[] = [];
  if (decoded.rejectedPoints > 0)
    messages.push(`${decoded.rejectedPoints} data points rejected: ${decoded.rejectionReasons.join('; ')}`);
  if (decoded.droppedAttributes > 0) messages.push(`${decoded.droppedAttributes} attributes dropped over the limits`);
  if (decoded.truncatedValues > 0) messages.push(`${decoded.truncatedValues} attribute values truncated`);
  return messages.length > 0 ? { rejected: decoded.rejectedPoints, errorMessage: messages.join('; ') } : undefined;
}
