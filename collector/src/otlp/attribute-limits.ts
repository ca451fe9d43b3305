// Applying the configured attribute limits while decoding, and counting what they cost.

import type { AttributeValue, Attributes, DecodeLimits } from './types.ts';

export interface LimitCounters {
  droppedAttributes: number;
  truncatedValues: number;
}

/** Nesting deeper than this in array/kvlist values is refused: it only serves to exhaust the stack. */
export const MAX_VALUE_DEPTH = 32;

export function limitString(value: string, limits: DecodeLimits, counters: LimitCounters): string {
  if (value.length <= limits.maxAttributeValueLength) return value;
  counters.truncatedValues++;
  return value.slice(0, limits.maxAttributeValueLength);
}

/** Sets an attribute as an own property, so a key named "__proto__" is data, not a prototype. */
export function setAttribute(into: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__')
    Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}
