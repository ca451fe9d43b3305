// What both metrics decoders share: the check that accepts a data point or rejects it (counted,
// with its reason; the rest of the request stands), and the request's result.

import type { DecodeState } from './decode-state.ts';
import type {
  DecodedExponentialPoint,
  DecodedHistogramPoint,
  DecodedMetrics,
  DecodedNumberPoint,
  DecodedResourceMetrics,
} from './types.ts';

type AnyPoint = DecodedNumberPoint | DecodedHistogramPoint | DecodedExponentialPoint;

function invalidPointReason(point: AnyPoint): string | null {
  if (!(point.timeMs > 0)) return 'time_unix_nano is required';
  // A NaN or infinite value would make every sum it joins NaN or infinite from then on.
  if ('value' in point)
    return Number.isFinite(point.value) ? null : `value must be a finite number, got ${point.value}`;
  if (!(point.count >= 0) || !Number.isFinite(point.count))
    return `count must be a non-negative number, got ${point.count}`;
  if (point.sum !== null && !Number.isFinite(point.sum)) return `sum must be a finite number, got ${point.sum}`;
  if ('bounds' in point) {
    if (point.bucketCounts.length > 0 && point.bucketCounts.length !== point.bounds.length + 1)
      return `${point.bucketCounts.length} bucket counts for ${point.bounds.length} explicit bounds (need one more count than bounds)`;
    for (let i = 1; i < point.bounds.length; i++)
      if (!(point.bounds[i]! > point.bounds[i - 1]!)) return 'explicit bounds must increase';
    return null;
  }
  if (!Number.isInteger(point.scale) || point.scale < -10 || point.scale > 20)
    return `scale must be an integer from -10 to 20, got ${point.scale}`;
  return null;
}

/** Counts a point in, or rejects it (counted, with its reason). */
export function acceptPoint<T extends AnyPoint>(
  state: DecodeState,
  point: T,
  metricName: string,
  where: string,
): T | null {
  const reason = invalidPointReason(point);
  if (reason === null) {
    state.accepted++;
    return point;
  }
  state.reject(where, metricName, reason);
  return null;
}

export function metricsResult(state: DecodeState, resourceMetrics: DecodedResourceMetrics[]): DecodedMetrics {
  return {
    resourceMetrics,
    pointCount: state.accepted,
    rejectedPoints: state.rejected,
    rejectionReasons: state.rejectionReasons,
    droppedAttributes: state.droppedAttributes,
    truncatedValues: state.truncatedValues,
    decodedBytes: state.decodedBytes,
  };
}
