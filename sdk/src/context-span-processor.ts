// Stamps tenant, session and user on every span as it starts, whichever library started it (pg,
// undici, ioredis, the model clients, the app's own spans). Deployment is on the resource.

import { type Context, propagation } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { SESSION_KEY, TENANT_KEY, USER_KEY } from './context.ts';

export class ContextSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext);
    if (!baggage) return;
    const tenant = baggage.getEntry(TENANT_KEY);
    if (tenant) span.setAttribute(TENANT_KEY, tenant.value);
    const session = baggage.getEntry(SESSION_KEY);
    if (session) span.setAttribute(SESSION_KEY, session.value);
    const user = baggage.getEntry(USER_KEY);
    if (user) span.setAttribute(USER_KEY, user.value);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
