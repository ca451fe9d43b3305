// Stamps tenant, session and user on every span as it starts, whichever library started it (pg,
// undici, ioredis, the model clients, the app's own spans). Deployment is on the resource.

import { type Baggage, type Context, propagation } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { SESSION_KEY, TENANT_KEY, USER_KEY } from './context.ts';

const KEYS = [TENANT_KEY, SESSION_KEY, USER_KEY];

export class ContextSpanProcessor implements SpanProcessor {
  // A request's spans share one baggage object: its entries are looked up once, not per span.
  private readonly entriesOf = new WeakMap<Baggage, string[]>();

  onStart(span: Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext);
    if (!baggage) return;
    let entries = this.entriesOf.get(baggage);
    if (!entries) {
      entries = [];
      for (const key of KEYS) {
        const entry = baggage.getEntry(key);
        if (entry) entries.push(key, entry.value);
      }
      this.entriesOf.set(baggage, entries);
    }
    for (let i = 0; i < entries.length; i += 2) span.setAttribute(entries[i]!, entries[i + 1]!);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
