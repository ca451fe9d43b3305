// OTLP/JSON ExportMetricsServiceRequest → DecodedMetric, with the OTLP JSON mapping's values
// (json-values.ts: 64-bit integers as decimal strings, enums as integers or names) and the same
// limits as the protobuf decoder.

import { DECODED_COST, DecodeState, METRIC_NOUNS } from './decode-state.ts';
import {
  arrayAt,
  enumAt,
  fail,
  int64At,
  type Json,
  type JsonObject,
  objectAt,
  parseJsonBody,
  readAttributes,
  stringAt,
} from './json-values.ts';
import { acceptPoint, metricsResult } from './metric-points.ts';
import type {
  DecodeLimits,
  DecodedExponentialBuckets,
  DecodedExponentialPoint,
  DecodedHistogramPoint,
  DecodedMetric,
  DecodedMetricData,
  DecodedMetrics,
  DecodedNumberPoint,
  DecodedResourceMetrics,
  Temporality,
} from './types.ts';

const TEMPORALITY_NAMES: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};
const TEMPORALITIES: Temporality[] = ['unspecified', 'delta', 'cumulative'];

export function decodeJsonMetrics(body: Buffer | string, limits: DecodeLimits): DecodedMetrics {
  const state = new DecodeState(limits, METRIC_NOUNS);
  const request = objectAt(parseJsonBody(body, state), '(root)');
  const resourceMetrics: DecodedResourceMetrics[] = arrayAt(request.resourceMetrics, 'resourceMetrics').map(
    (item, r) => {
      const path = `resourceMetrics[${r}]`;
      state.enterResource();
      const rm = objectAt(item, path);
      const resource =
        rm.resource === undefined || rm.resource === null ? {} : objectAt(rm.resource, `${path}.resource`);
      return {
        resource: readAttributes(
          resource.attributes,
          `${path}.resource.attributes`,
          limits.maxAttributesPerSpan,
          state,
        ),
        scopeMetrics: arrayAt(rm.scopeMetrics, `${path}.scopeMetrics`).map((scopeItem, s) => {
          const scopePath = `${path}.scopeMetrics[${s}]`;
          state.enterScope();
          const sm = objectAt(scopeItem, scopePath);
          const scope = sm.scope === undefined || sm.scope === null ? {} : objectAt(sm.scope, `${scopePath}.scope`);
          const metrics = arrayAt(sm.metrics, `${scopePath}.metrics`).map((metric, m) =>
            readMetric(objectAt(metric, `${scopePath}.metrics[${m}]`), `${scopePath}.metrics[${m}]`, state),
          );
          const scopeName = stringAt(scope.name, `${scopePath}.scope.name`);
          const scopeVersion = stringAt(scope.version, `${scopePath}.scope.version`);
          state.charge(scopeName.length + scopeVersion.length);
          return { scopeName, scopeVersion, metrics };
        }),
      };
    },
  );
  return metricsResult(state, resourceMetrics);
}

function readMetric(metric: JsonObject, path: string, state: DecodeState): DecodedMetric {
  const name = stringAt(metric.name, `${path}.name`);
  const unit = stringAt(metric.unit, `${path}.unit`);
  state.charge(DECODED_COST.span + name.length + unit.length);
  return { name, unit, data: readData(metric, path, name, state) };
}

function temporalityAt(value: Json, path: string): Temporality {
  return TEMPORALITIES[enumAt(value, TEMPORALITY_NAMES, path)] ?? 'unspecified';
}

function readData(metric: JsonObject, path: string, name: string, state: DecodeState): DecodedMetricData {
  if (metric.sum !== undefined && metric.sum !== null) {
    const sum = objectAt(metric.sum, `${path}.sum`);
    if (sum.isMonotonic !== undefined && typeof sum.isMonotonic !== 'boolean')
      fail(`${path}.sum.isMonotonic`, 'expected a boolean');
    return {
      kind: 'sum',
      temporality: temporalityAt(sum.aggregationTemporality, `${path}.sum.aggregationTemporality`),
      monotonic: sum.isMonotonic === true,
      points: readPoints(sum.dataPoints, `${path}.sum.dataPoints`, name, state, readNumberPoint),
    };
  }
  if (metric.gauge !== undefined && metric.gauge !== null) {
    const gauge = objectAt(metric.gauge, `${path}.gauge`);
    return {
      kind: 'gauge',
      points: readPoints(gauge.dataPoints, `${path}.gauge.dataPoints`, name, state, readNumberPoint),
    };
  }
  if (metric.histogram !== undefined && metric.histogram !== null) {
    const histogram = objectAt(metric.histogram, `${path}.histogram`);
    return {
      kind: 'histogram',
      temporality: temporalityAt(histogram.aggregationTemporality, `${path}.histogram.aggregationTemporality`),
      points: readPoints(histogram.dataPoints, `${path}.histogram.dataPoints`, name, state, readHistogramPoint),
    };
  }
  if (metric.exponentialHistogram !== undefined && metric.exponentialHistogram !== null) {
    const histogram = objectAt(metric.exponentialHistogram, `${path}.exponentialHistogram`);
    return {
      kind: 'exponential_histogram',
      temporality: temporalityAt(
        histogram.aggregationTemporality,
        `${path}.exponentialHistogram.aggregationTemporality`,
      ),
      points: readPoints(
        histogram.dataPoints,
        `${path}.exponentialHistogram.dataPoints`,
        name,
        state,
        readExponentialPoint,
      ),
    };
  }
  if (metric.summary !== undefined && metric.summary !== null) {
    const summary = objectAt(metric.summary, `${path}.summary`);
    for (const _ of arrayAt(summary.dataPoints, `${path}.summary.dataPoints`)) {
      state.enterItem();
      state.accepted++;
    }
  }
  return { kind: 'other', points: [] };
}

function readPoints<T extends DecodedNumberPoint | DecodedHistogramPoint | DecodedExponentialPoint>(
  list: Json,
  path: string,
  name: string,
  state: DecodeState,
  read: (point: JsonObject, path: string, state: DecodeState) => T,
): T[] {
  const points: T[] = [];
  arrayAt(list, path).forEach((item, i) => {
    state.enterItem();
    const at = `${path}[${i}]`;
    const point = acceptPoint(state, read(objectAt(item, at), at, state), name, at);
    if (point) points.push(point);
  });
  return points;
}

function numberAt(value: Json, path: string): number {
  if (typeof value === 'number') return value;
  // The JSON mapping writes NaN and infinities as strings.
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (value === 'NaN') return Number.NaN;
  return fail(path, `expected a number, got ${typeof value}`);
}

function optionalNumber(value: Json, path: string): number | null {
  return value === undefined || value === null ? null : numberAt(value, path);
}

function pointBase(point: JsonObject, path: string, state: DecodeState) {
  return {
    attributes: readAttributes(point.attributes, `${path}.attributes`, state.limits.maxAttributesPerSpan, state),
    startMs: int64At(point.startTimeUnixNano, `${path}.startTimeUnixNano`) / 1e6,
    timeMs: int64At(point.timeUnixNano, `${path}.timeUnixNano`) / 1e6,
  };
}

function readNumberPoint(point: JsonObject, path: string, state: DecodeState): DecodedNumberPoint {
  const value =
    point.asInt !== undefined && point.asInt !== null
      ? int64At(point.asInt, `${path}.asInt`)
      : (optionalNumber(point.asDouble, `${path}.asDouble`) ?? 0);
  return { ...pointBase(point, path, state), value };
}

function countsAt(value: Json, path: string): number[] {
  return arrayAt(value, path).map((item, i) => int64At(item, `${path}[${i}]`));
}

/** What both histogram points carry besides their buckets. */
function histogramBase(point: JsonObject, path: string, state: DecodeState) {
  return {
    ...pointBase(point, path, state),
    count: int64At(point.count, `${path}.count`),
    sum: optionalNumber(point.sum, `${path}.sum`),
    min: optionalNumber(point.min, `${path}.min`),
    max: optionalNumber(point.max, `${path}.max`),
  };
}

function readHistogramPoint(point: JsonObject, path: string, state: DecodeState): DecodedHistogramPoint {
  const bounds = arrayAt(point.explicitBounds, `${path}.explicitBounds`).map((b, i) =>
    numberAt(b, `${path}.explicitBounds[${i}]`),
  );
  const bucketCounts = countsAt(point.bucketCounts, `${path}.bucketCounts`);
  state.charge(DECODED_COST.container + 8 * (bounds.length + bucketCounts.length));
  return {
    ...histogramBase(point, path, state),
    bounds,
    bucketCounts,
  };
}

function bucketsAt(value: Json, path: string): DecodedExponentialBuckets {
  if (value === undefined || value === null) return { offset: 0, counts: [] };
  const buckets = objectAt(value, path);
  return {
    offset: int64At(buckets.offset, `${path}.offset`),
    counts: countsAt(buckets.bucketCounts, `${path}.bucketCounts`),
  };
}

function readExponentialPoint(point: JsonObject, path: string, state: DecodeState): DecodedExponentialPoint {
  const positive = bucketsAt(point.positive, `${path}.positive`);
  const negative = bucketsAt(point.negative, `${path}.negative`);
  state.charge(DECODED_COST.container + 8 * (positive.counts.length + negative.counts.length));
  return {
    ...histogramBase(point, path, state),
    scale: int64At(point.scale, `${path}.scale`),
    zeroCount: int64At(point.zeroCount, `${path}.zeroCount`),
    positive,
    negative,
  };
}
