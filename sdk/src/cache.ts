// Any cache lookup as a cache span: Redis, an in-process map, a semantic cache in pgvector. A hit is
// a value other than undefined or null; `cache.hit` says which it was.

import { type Attributes, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';

// A proxy until init() installs the SDK, then the SDK's tracer (the proxy remembers it).
const tracer = trace.getTracer('@vigil/sdk');

export interface TraceCacheOptions {
  /** What kind of cache: semantic, redis, memory, … (cache.system). */
  system?: string;
}

/**
 * Runs lookup as a span named `cache.get <name>`. The key is not recorded, only its length: keys
 * often hold user input.
 */
export async function traceCache<T>(
  name: string,
  key: string,
  lookup: () => Promise<T | undefined | null>,
  options: TraceCacheOptions = {},
): Promise<T | undefined | null> {
  const attributes: Attributes = { 'cache.name': name, 'cache.key.length': key.length };
  if (options.system) attributes['cache.system'] = options.system;
  const span = tracer.startSpan(`cache.get ${name}`, { kind: SpanKind.CLIENT, attributes });
  try {
    const value = await context.with(trace.setSpan(context.active(), span), lookup);
    span.setAttribute('cache.hit', value !== undefined && value !== null);
    return value;
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
