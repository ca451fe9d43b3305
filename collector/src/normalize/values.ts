// Coercion of attribute values, which arrive as numbers, numeric strings, or inside JSON strings.

import type { AttributeValue, Attributes } from '../otlp/types.ts';

export function toNumber(value: AttributeValue | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** A token count: a non-negative integer, or null. */
export function toCount(value: AttributeValue | undefined): number | null {
  const n = toNumber(value);
  return n === null || n < 0 ? null : Math.round(n);
}

const MAX_ID_LENGTH = 256;

/**
 * Logfire's scrubber replaces a value whose key looks sensitive (`session.id` matches "session")
 * with `[Scrubbed due to 'session']`: the value is absent, not an id.
 */
const SCRUBBED = /^\[Scrubbed due to .*\]$/;

/** An identifier (tenant, session, user, model…): a non-empty string, numbers stringified. */
export function toId(value: AttributeValue | undefined): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '' || (trimmed[0] === '[' && SCRUBBED.test(trimmed))) return null;
    return trimmed.length > MAX_ID_LENGTH ? trimmed.slice(0, MAX_ID_LENGTH) : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** The first key of `keys` that `attributes` has a usable id for. */
export function firstId(attributes: Attributes, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined) {
      const id = toId(value);
      if (id !== null) return id;
    }
  }
  return null;
}

export function firstCount(attributes: Attributes, keys: readonly string[]): number | null {
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined) {
      const count = toCount(value);
      if (count !== null) return count;
    }
  }
  return null;
}

export function firstNumber(attributes: Attributes, keys: readonly string[]): number | null {
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined) {
      const n = toNumber(value);
      if (n !== null) return n;
    }
  }
  return null;
}

/** Parses a JSON object held in a string attribute (or already an object); null when it is neither. */
export function jsonObject(value: AttributeValue | undefined): Attributes | null {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  if (typeof value !== 'string' || value.length === 0 || value[0] !== '{') return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Attributes) : null;
  } catch {
    return null;
  }
}

/** Reads a nested path in a parsed JSON object. */
export function pathValue(object: Attributes | null, path: readonly string[]): AttributeValue | undefined {
  let current: AttributeValue | undefined = object;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Attributes)[key];
  }
  return current;
}
