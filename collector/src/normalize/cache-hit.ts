// Whether a cache lookup hit. OpenTelemetry defines no cache-hit attribute (Sentry's `cache.hit` is
// the common ad-hoc one: ../shared/reference/otel-semconv-otlp-pricing.md), so three rules, in order:
//   1. `cache.hit`: Sentry's convention, and what Vigil's SDK (`withCacheSpan`) sets;
//   2. `cache_hit`: the name apps log it under themselves (the seeds' orchestrator does);
//   3. a key-value read (GET and its kin) on a cache system that says how many values it returned
//      (`db.response.returned_rows`, opt-in in the database conventions): none is a miss, since
//      a GET of a missing key returns nil; one or more is a hit.
// A boolean or "true"/"false" counts; anything else, or a lookup that says nothing, is unknown
// (null): it is counted in neither hits nor misses. Rules 1 and 2 count on any span (an app's
// request span that says its answer came from a semantic cache is a hit on its surface); rule 3
// only on cache spans.

import type { SpanCategory } from '@vigil/core';
import type { Attributes } from '../otlp/types.ts';

/** Single-key reads: nil when the key is missing. MGET and scans return partial answers, not a hit or a miss. */
const READ_COMMANDS = new Set(['GET', 'GETEX', 'GETDEL', 'HGET', 'HGETALL', 'JSON.GET', 'GETS']);

function flag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return null;
}

function commandOf(attributes: Attributes): string | null {
  const named = attributes['db.operation.name'] ?? attributes['db.operation'];
  if (typeof named === 'string' && named !== '') return named.toUpperCase();
  const text = attributes['db.query.text'] ?? attributes['db.statement'];
  if (typeof text !== 'string') return null;
  const first = text.trimStart().split(/\s/, 1)[0];
  return first ? first.toUpperCase() : null;
}

function returnedRows(attributes: Attributes): number | null {
  const value = attributes['db.response.returned_rows'];
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
}

/**
 * Which cache a cache span asked, stored as its provider (the one who served the call, as a model
 * call's provider is): `cache.name` (Vigil's SDK), else `cache.system`, else the database system
 * (redis, memcached); null when it says none.
 */
export function cacheNameOf(attributes: Attributes): string | null {
  for (const key of ['cache.name', 'cache.system', 'db.system.name', 'db.system']) {
    const value = attributes[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 200);
  }
  return null;
}

/** A span's cache outcome: true a hit, false a miss, null unknown or not a lookup. */
export function cacheHitOf(attributes: Attributes, category: SpanCategory): boolean | null {
  const said = flag(attributes['cache.hit']) ?? flag(attributes.cache_hit);
  if (said !== null || category !== 'cache') return said;
  const command = commandOf(attributes);
  if (command === null || !READ_COMMANDS.has(command)) return null;
  const rows = returnedRows(attributes);
  return rows === null ? null : rows > 0;
}
