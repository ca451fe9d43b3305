// Whether a cache lookup hit (normalize/cache-hit.ts): the attributes emitters use, and a
// key-value read that says how many values it returned. Unknown stays unknown.

import { describe, expect, it } from 'vitest';
import { cacheHitOf } from '../../src/normalize/cache-hit.ts';
import { normalizeSpan } from '../../src/normalize/normalize.ts';
import type { Attributes } from '../../src/otlp/types.ts';

const stored = (attributes: Attributes) =>
  normalizeSpan(
    {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      parentSpanId: null,
      name: 'lookup',
      kind: 3,
      startMs: 1000,
      durationMs: 2,
      statusCode: 0,
      statusMessage: '',
      attributes,
      events: [],
    },
    {},
    { tenantKeys: ['tenant.id'], captureContent: false },
  );

describe('cache hits', () => {
  it('reads cache.hit (Vigil’s SDK, Sentry) and cache_hit, as booleans or their strings', () => {
    expect(stored({ 'cache.name': 'semantic', 'cache.hit': true })).toMatchObject({
      category: 'cache',
      cacheHit: true,
    });
    expect(stored({ 'cache.name': 'semantic', 'cache.hit': false })).toMatchObject({
      category: 'cache',
      cacheHit: false,
    });
    expect(cacheHitOf({ 'cache.hit': 'true' }, 'cache')).toBe(true);
    expect(cacheHitOf({ cache_hit: 'false' }, 'cache')).toBe(false);
    expect(cacheHitOf({ 'cache.hit': 'yes' }, 'cache')).toBeNull();
  });

  it('names the cache a cache span asked as its provider: cache.name, else cache.system, else the db system', () => {
    expect(stored({ 'cache.name': 'answers', 'cache.system': 'semantic', 'cache.hit': true }).provider).toBe('answers');
    expect(stored({ 'cache.system': 'semantic', 'cache.hit': true }).provider).toBe('semantic');
    expect(stored({ 'db.system.name': 'redis', 'db.operation.name': 'GET' }).provider).toBe('redis');
    expect(stored({ 'db.system': 'memcached', 'db.operation': 'get' }).provider).toBe('memcached');
    // Not a cache span: no cache name, even when it says it hit.
    expect(stored({ 'http.route': '/api/chat', cache_hit: true }).provider).toBeNull();
  });

  it('counts an app’s own cache_hit on whatever span says it (a semantic cache answering a request)', () => {
    const request = stored({ 'http.request.method': 'POST', 'http.route': '/api/chat', cache_hit: true });
    expect(request).toMatchObject({ category: 'http', surface: '/api/chat', cacheHit: true });
  });

  it('reads a Redis GET that says how many values it returned: none a miss, one a hit', () => {
    const get = { 'db.system.name': 'redis', 'db.operation.name': 'GET' };
    expect(stored({ ...get, 'db.response.returned_rows': 0 })).toMatchObject({ category: 'cache', cacheHit: false });
    expect(stored({ ...get, 'db.response.returned_rows': 1 })).toMatchObject({ category: 'cache', cacheHit: true });
    // The older attributes: db.system, and the command from the statement.
    expect(
      stored({ 'db.system': 'redis', 'db.statement': 'get user:42', 'db.response.returned_rows': '0' }),
    ).toMatchObject({
      cacheHit: false,
    });
  });

  it('leaves a lookup that does not say, a write, a partial read and a database query unknown', () => {
    expect(stored({ 'db.system.name': 'redis', 'db.operation.name': 'GET' }).cacheHit).toBeNull();
    expect(
      stored({ 'db.system.name': 'redis', 'db.operation.name': 'SET', 'db.response.returned_rows': 0 }).cacheHit,
    ).toBeNull();
    expect(
      stored({ 'db.system.name': 'redis', 'db.operation.name': 'MGET', 'db.response.returned_rows': 1 }).cacheHit,
    ).toBeNull();
    expect(
      stored({ 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT', 'db.response.returned_rows': 0 }),
    ).toMatchObject({
      category: 'db',
      cacheHit: null,
    });
    expect(stored({ 'http.request.method': 'GET' }).cacheHit).toBeNull();
  });
});
