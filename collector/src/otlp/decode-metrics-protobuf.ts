// OTLP ExportMetricsServiceRequest (protobuf) → DecodedMetric, read straight off the wire with the
// envelope, attribute limits and decoded-size budget every signal shares. Each data point counts
// against the request's item limit; summaries are counted and skipped undecoded.

import { DECODED_COST, DecodeState, METRIC_NOUNS } from './decode-state.ts';
import { acceptPoint, metricsResult } from './metric-points.ts';
import { readKeyValue } from './proto-attributes.ts';
import { readEnvelope } from './proto-envelope.ts';
import { type ProtoReader, WIRE_FIXED64, WIRE_LENGTH, WIRE_VARINT } from './proto-reader.ts';
import type {
  Attributes,
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

const METRIC_FIELDS = { resources: 'resource_metrics', scopes: 'scope_metrics', item: 'metric' };
const TEMPORALITIES: Temporality[] = ['unspecified', 'delta', 'cumulative'];

export function decodeProtobufMetrics(body: Uint8Array, limits: DecodeLimits): DecodedMetrics {
  const state = new DecodeState(limits, METRIC_NOUNS);
  const resourceMetrics: DecodedResourceMetrics[] = readEnvelope(body, state, METRIC_FIELDS, readMetric).map((r) => ({
    resource: r.resource,
    scopeMetrics: r.scopes.map((scope) => ({
      scopeName: scope.scopeName,
      scopeVersion: scope.scopeVersion,
      metrics: scope.items,
    })),
  }));
  return metricsResult(state, resourceMetrics);
}

function readMetric(reader: ProtoReader, end: number, state: DecodeState): DecodedMetric {
  let name = '';
  let unit = '';
  let data: DecodedMetricData = { kind: 'other', points: [] };
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1:
        reader.expect(wire, WIRE_LENGTH, 'metric.name');
        name = reader.string();
        break;
      case 3:
        reader.expect(wire, WIRE_LENGTH, 'metric.unit');
        unit = reader.string();
        break;
      case 5:
        reader.expect(wire, WIRE_LENGTH, 'metric.gauge');
        data = readNumbers(reader, reader.lengthEnd(), state, name, 'gauge');
        break;
      case 7:
        reader.expect(wire, WIRE_LENGTH, 'metric.sum');
        data = readNumbers(reader, reader.lengthEnd(), state, name, 'sum');
        break;
      case 9:
        reader.expect(wire, WIRE_LENGTH, 'metric.histogram');
        data = {
          kind: 'histogram',
          ...readTemporalPoints(reader, reader.lengthEnd(), state, name, 'histogram', readHistogramPoint),
        };
        break;
      case 10:
        reader.expect(wire, WIRE_LENGTH, 'metric.exponential_histogram');
        data = {
          kind: 'exponential_histogram',
          ...readTemporalPoints(reader, reader.lengthEnd(), state, name, 'exponential_histogram', readExponentialPoint),
        };
        break;
      case 11:
        reader.expect(wire, WIRE_LENGTH, 'metric.summary');
        countSkipped(reader, reader.lengthEnd(), state);
        data = { kind: 'other', points: [] };
        break;
      default:
        reader.skip(wire);
    }
  }
  state.charge(DECODED_COST.span + name.length + unit.length);
  return { name, unit, data };
}

/** The points of a summary: each counted against the limit and as received, none read. */
function countSkipped(reader: ProtoReader, end: number, state: DecodeState): void {
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) {
      state.enterItem();
      state.accepted++;
    }
    reader.skip(tag & 7);
  }
}

function readNumbers(
  reader: ProtoReader,
  end: number,
  state: DecodeState,
  name: string,
  kind: 'sum' | 'gauge',
): DecodedMetricData {
  const points: DecodedNumberPoint[] = [];
  let temporality: Temporality = 'unspecified';
  let monotonic = false;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (field === 1) {
      reader.expect(wire, WIRE_LENGTH, `${kind}.data_points`);
      const point = readNumberPoint(reader, reader.lengthEnd(), state, name);
      if (point) points.push(point);
    } else if (field === 2 && kind === 'sum') {
      reader.expect(wire, WIRE_VARINT, 'sum.aggregation_temporality');
      temporality = TEMPORALITIES[reader.uint32()] ?? 'unspecified';
    } else if (field === 3 && kind === 'sum') {
      reader.expect(wire, WIRE_VARINT, 'sum.is_monotonic');
      monotonic = reader.bool();
    } else reader.skip(wire);
  }
  return kind === 'sum' ? { kind, temporality, monotonic, points } : { kind, points };
}

function pointWhere(state: DecodeState): string {
  return `data point ${state.accepted + state.rejected}`;
}

function readNumberPoint(
  reader: ProtoReader,
  end: number,
  state: DecodeState,
  name: string,
): DecodedNumberPoint | null {
  state.enterItem();
  const where = pointWhere(state);
  const attributes: Attributes = {};
  let count = 0;
  let startNs = 0;
  let timeNs = 0;
  let value = 0;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 7:
        reader.expect(wire, WIRE_LENGTH, 'data_point.attributes');
        count = readKeyValue(reader, reader.lengthEnd(), attributes, count, state.limits.maxAttributesPerSpan, state);
        break;
      case 2:
        reader.expect(wire, WIRE_FIXED64, 'data_point.start_time_unix_nano');
        startNs = reader.fixed64();
        break;
      case 3:
        reader.expect(wire, WIRE_FIXED64, 'data_point.time_unix_nano');
        timeNs = reader.fixed64();
        break;
      case 4:
        reader.expect(wire, WIRE_FIXED64, 'data_point.as_double');
        value = reader.double();
        break;
      case 6:
        reader.expect(wire, WIRE_FIXED64, 'data_point.as_int');
        value = reader.sfixed64();
        break;
      default:
        reader.skip(wire);
    }
  }
  return acceptPoint(state, { attributes, startMs: startNs / 1e6, timeMs: timeNs / 1e6, value }, name, where);
}

/** A histogram's or exponential histogram's points and temporality (both messages lay them out alike). */
function readTemporalPoints<P extends DecodedHistogramPoint | DecodedExponentialPoint>(
  reader: ProtoReader,
  end: number,
  state: DecodeState,
  name: string,
  message: string,
  readPoint: (reader: ProtoReader, end: number, state: DecodeState, name: string) => P | null,
): { temporality: Temporality; points: P[] } {
  const points: P[] = [];
  let temporality: Temporality = 'unspecified';
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (field === 1) {
      reader.expect(wire, WIRE_LENGTH, `${message}.data_points`);
      const point = readPoint(reader, reader.lengthEnd(), state, name);
      if (point) points.push(point);
    } else if (field === 2) {
      reader.expect(wire, WIRE_VARINT, `${message}.aggregation_temporality`);
      temporality = TEMPORALITIES[reader.uint32()] ?? 'unspecified';
    } else reader.skip(wire);
  }
  return { temporality, points };
}

/** Where the fields both histogram points have sit in each: attributes, min and max moved. */
interface HistogramLayout {
  attributes: number;
  min: number;
  max: number;
}
const EXPLICIT_LAYOUT: HistogramLayout = { attributes: 9, min: 11, max: 12 };
const EXPONENTIAL_LAYOUT: HistogramLayout = { attributes: 1, min: 12, max: 13 };

/** Reads a field both histogram points have; false when the field is not one of them. */
function readCommonHistogramField(
  reader: ProtoReader,
  field: number,
  wire: number,
  point: DecodedHistogramPoint | DecodedExponentialPoint,
  layout: HistogramLayout,
  state: DecodeState,
  attributeCount: { n: number },
): boolean {
  if (field === layout.attributes) {
    reader.expect(wire, WIRE_LENGTH, 'data_point.attributes');
    attributeCount.n = readKeyValue(
      reader,
      reader.lengthEnd(),
      point.attributes,
      attributeCount.n,
      state.limits.maxAttributesPerSpan,
      state,
    );
  } else if (field === 2) {
    reader.expect(wire, WIRE_FIXED64, 'data_point.start_time_unix_nano');
    point.startMs = reader.fixed64() / 1e6;
  } else if (field === 3) {
    reader.expect(wire, WIRE_FIXED64, 'data_point.time_unix_nano');
    point.timeMs = reader.fixed64() / 1e6;
  } else if (field === 4) {
    reader.expect(wire, WIRE_FIXED64, 'data_point.count');
    point.count = reader.fixed64();
  } else if (field === 5) {
    reader.expect(wire, WIRE_FIXED64, 'data_point.sum');
    point.sum = reader.double();
  } else if (field === layout.min) {
    reader.expect(wire, WIRE_FIXED64, 'data_point.min');
    point.min = reader.double();
  } else if (field === layout.max) {
    reader.expect(wire, WIRE_FIXED64, 'data_point.max');
    point.max = reader.double();
  } else return false;
  return true;
}

function readHistogramPoint(
  reader: ProtoReader,
  end: number,
  state: DecodeState,
  name: string,
): DecodedHistogramPoint | null {
  state.enterItem();
  const where = pointWhere(state);
  const point: DecodedHistogramPoint = {
    attributes: {},
    startMs: 0,
    timeMs: 0,
    count: 0,
    sum: null,
    min: null,
    max: null,
    bounds: [],
    bucketCounts: [],
  };
  const attributeCount = { n: 0 };
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (readCommonHistogramField(reader, field, wire, point, EXPLICIT_LAYOUT, state, attributeCount)) continue;
    if (field === 6)
      reader.repeated(wire, WIRE_FIXED64, () => reader.fixed64(), point.bucketCounts, 'data_point.bucket_counts');
    else if (field === 7)
      reader.repeated(wire, WIRE_FIXED64, () => reader.double(), point.bounds, 'data_point.explicit_bounds');
    else reader.skip(wire);
  }
  state.charge(DECODED_COST.container + 8 * (point.bounds.length + point.bucketCounts.length));
  return acceptPoint(state, point, name, where);
}

function readExponentialPoint(
  reader: ProtoReader,
  end: number,
  state: DecodeState,
  name: string,
): DecodedExponentialPoint | null {
  state.enterItem();
  const where = pointWhere(state);
  const point: DecodedExponentialPoint = {
    attributes: {},
    startMs: 0,
    timeMs: 0,
    count: 0,
    sum: null,
    min: null,
    max: null,
    scale: 0,
    zeroCount: 0,
    positive: { offset: 0, counts: [] },
    negative: { offset: 0, counts: [] },
  };
  const attributeCount = { n: 0 };
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (readCommonHistogramField(reader, field, wire, point, EXPONENTIAL_LAYOUT, state, attributeCount)) continue;
    if (field === 6) {
      reader.expect(wire, WIRE_VARINT, 'data_point.scale');
      point.scale = reader.sint32();
    } else if (field === 7) {
      reader.expect(wire, WIRE_FIXED64, 'data_point.zero_count');
      point.zeroCount = reader.fixed64();
    } else if (field === 8) {
      reader.expect(wire, WIRE_LENGTH, 'data_point.positive');
      point.positive = readBuckets(reader, reader.lengthEnd());
    } else if (field === 9) {
      reader.expect(wire, WIRE_LENGTH, 'data_point.negative');
      point.negative = readBuckets(reader, reader.lengthEnd());
    } else reader.skip(wire);
  }
  state.charge(DECODED_COST.container + 8 * (point.positive.counts.length + point.negative.counts.length));
  return acceptPoint(state, point, name, where);
}

function readBuckets(reader: ProtoReader, end: number): DecodedExponentialBuckets {
  const buckets: DecodedExponentialBuckets = { offset: 0, counts: [] };
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (field === 1) {
      reader.expect(wire, WIRE_VARINT, 'buckets.offset');
      buckets.offset = reader.sint32();
    } else if (field === 2)
      reader.repeated(wire, WIRE_VARINT, () => reader.int64(), buckets.counts, 'buckets.bucket_counts');
    else reader.skip(wire);
  }
  return buckets;
}
