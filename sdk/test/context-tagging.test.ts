// Tenant, session and user stamped on spans by the context span processor: the identity that was
// in context when each span started, never one left over from an earlier request, however many
// identities pass through (the baggage is cached per identity).

import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContextSpanProcessor } from '../src/context-span-processor.ts';
import { SURFACE_KEY, setSurface, withContext } from '../src/index.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  spanProcessors: [new ContextSpanProcessor(), new SimpleSpanProcessor({ exporter })],
});
const tracer = provider.getTracer('test');

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());
beforeEach(() => exporter.reset());

function identityOn(name: string) {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  if (!span) throw new Error(`no span ${name}`);
  const { 'tenant.id': tenant, 'session.id': session, 'user.id': user } = span.attributes;
  return { tenant, session, user };
}

describe('context span processor', () => {
  it('stamps each span with the identity in context when it started', async () => {
    await withContext({ tenantId: 'acme', sessionId: 's-1', userId: 'u-1' }, async () => {
      tracer.startSpan('first').end();
    });
    await withContext({ tenantId: 'acme' }, async () => {
      tracer.startSpan('tenant only').end();
    });
    await withContext({ tenantId: 'globex', userId: 'u-1' }, async () => {
      tracer.startSpan('other tenant').end();
    });
    tracer.startSpan('outside').end();
    expect(identityOn('first')).toEqual({ tenant: 'acme', session: 's-1', user: 'u-1' });
    expect(identityOn('tenant only')).toEqual({ tenant: 'acme', session: undefined, user: undefined });
    expect(identityOn('other tenant')).toEqual({ tenant: 'globex', session: undefined, user: 'u-1' });
    expect(identityOn('outside')).toEqual({ tenant: undefined, session: undefined, user: undefined });
  });

  it('keeps baggage from upstream and lets the local identity win', async () => {
    const upstream = propagation.setBaggage(
      context.active(),
      propagation.createBaggage({ 'tenant.id': { value: 'upstream' }, 'request.origin': { value: 'edge' } }),
    );
    await context.with(upstream, () =>
      withContext({ tenantId: 'acme', sessionId: 's-9' }, async () => {
        tracer.startSpan('downstream').end();
        expect(propagation.getBaggage(context.active())?.getEntry('request.origin')?.value).toBe('edge');
      }),
    );
    expect(identityOn('downstream')).toEqual({ tenant: 'acme', session: 's-9', user: undefined });
  });

  it('stays right across more identities than it caches', async () => {
    for (let i = 0; i < 10_000; i++) {
      await withContext({ tenantId: `t-${i % 7}`, sessionId: `s-${i}`, userId: `u-${i % 13}` }, async () => {
        tracer.startSpan(`call ${i}`).end();
      });
    }
    for (const i of [0, 4095, 4096, 4097, 8191, 8192, 9999]) {
      expect(identityOn(`call ${i}`)).toEqual({ tenant: `t-${i % 7}`, session: `s-${i}`, user: `u-${i % 13}` });
    }
    const wrong = exporter
      .getFinishedSpans()
      .filter((span) => span.attributes['session.id'] !== `s-${span.name.slice(5)}`);
    expect(wrong).toHaveLength(0);
  });

  it('names the surface on the request span with setSurface, and nowhere else', () => {
    tracer.startActiveSpan('POST', (request) => {
      setSurface('/api/answer');
      tracer.startSpan('inside').end();
      request.end();
    });
    setSurface('/nowhere'); // no active span: nothing to mark, nothing thrown
    const spans = exporter.getFinishedSpans();
    expect(spans.find((s) => s.name === 'POST')!.attributes[SURFACE_KEY]).toBe('/api/answer');
    // Children inherit it in the collector (trace assembly), not as an attribute.
    expect(spans.find((s) => s.name === 'inside')!.attributes[SURFACE_KEY]).toBeUndefined();
  });
});
