// The decode limits as configured (VIGIL_MAX_*), in one place for the receiver, the pipeline's
// messages and the tests.

import { CONFIG_DEFAULTS, type VigilConfig } from '@vigil/core';
import type { DecodeLimits } from './types.ts';

export type DecodeLimitSettings = Pick<
  VigilConfig,
  | 'VIGIL_MAX_ATTRIBUTES'
  | 'VIGIL_MAX_ATTRIBUTE_LENGTH'
  | 'VIGIL_MAX_EVENT_ATTRIBUTES'
  | 'VIGIL_MAX_EVENTS_PER_SPAN'
  | 'VIGIL_MAX_RESOURCE_SPANS'
  | 'VIGIL_MAX_SCOPE_SPANS'
  | 'VIGIL_MAX_SPANS_PER_REQUEST'
  | 'VIGIL_MAX_REQUEST_MEMORY_BYTES'
>;

export function decodeLimitsFrom(settings: DecodeLimitSettings): DecodeLimits {
  return {
    maxAttributesPerSpan: settings.VIGIL_MAX_ATTRIBUTES,
    maxAttributesPerEvent: settings.VIGIL_MAX_EVENT_ATTRIBUTES,
    maxAttributeValueLength: settings.VIGIL_MAX_ATTRIBUTE_LENGTH,
    maxEventsPerSpan: settings.VIGIL_MAX_EVENTS_PER_SPAN,
    maxResourceSpans: settings.VIGIL_MAX_RESOURCE_SPANS,
    maxScopeSpans: settings.VIGIL_MAX_SCOPE_SPANS,
    maxSpans: settings.VIGIL_MAX_SPANS_PER_REQUEST,
    maxDecodedBytes: settings.VIGIL_MAX_REQUEST_MEMORY_BYTES,
  };
}

/** The limits of a default configuration. */
export const DEFAULT_DECODE_LIMITS: DecodeLimits = decodeLimitsFrom(CONFIG_DEFAULTS);
