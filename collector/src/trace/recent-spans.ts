// A bounded memory of recently stored spans, per project and trace, so that most children find
// their parent's context without asking the database. It is only ever a cache: the database stays
// the truth (several collectors may share one database), so a miss is always checked there.

import type { InheritedContext, SpanCategory } from '@vigil/core';

export interface KnownSpan {
  parentSpanId: string | null;
  context: InheritedContext;
  category: SpanCategory;
}

interface TraceMemory {
  spans: Map<string, KnownSpan>;
  /** Span ids that have a stored model-call child: they are wrappers if they are model spans. */
  modelParents: Set<string>;
}

export class RecentSpans {
  private readonly traces = new Map<string, TraceMemory>();
  private spanCount = 0;
  private readonly maxSpans: number;

  constructor(maxSpans = 50_000) {
    this.maxSpans = maxSpans;
  }

  get size(): number {
    return this.spanCount;
  }

  get(projectId: string, traceId: string, spanId: string): KnownSpan | undefined {
    return this.traces.get(projectId + traceId)?.spans.get(spanId);
  }

  hasModelChild(projectId: string, traceId: string, spanId: string): boolean {
    return this.traces.get(projectId + traceId)?.modelParents.has(spanId) ?? false;
  }

  remember(projectId: string, traceId: string, spanId: string, span: KnownSpan): void {
    const key = projectId + traceId;
    let trace = this.traces.get(key);
    if (!trace) {
      trace = { spans: new Map(), modelParents: new Set() };
      this.traces.set(key, trace);
    }
    if (!trace.spans.has(spanId)) this.spanCount++;
    trace.spans.set(spanId, span);
    if (span.category === 'model' && span.parentSpanId) trace.modelParents.add(span.parentSpanId);
    this.evict();
  }

  /** Updates the context of a span this memory holds (after a late parent filled it in). */
  updateContext(projectId: string, traceId: string, spanId: string, context: InheritedContext): void {
    const known = this.traces.get(projectId + traceId)?.spans.get(spanId);
    if (known) known.context = context;
  }

  demote(projectId: string, traceId: string, spanId: string): void {
    const known = this.traces.get(projectId + traceId)?.spans.get(spanId);
    if (known) known.category = 'other';
  }

  // Oldest traces go first, whole, so a trace in memory is never half-forgotten.
  private evict(): void {
    while (this.spanCount > this.maxSpans) {
      const oldest = this.traces.keys().next();
      if (oldest.done) return;
      this.spanCount -= this.traces.get(oldest.value)!.spans.size;
      this.traces.delete(oldest.value);
    }
  }
}
