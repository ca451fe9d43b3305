// Trace-level work on one project's spans in a batch, before they are stored:
// - each span inherits tenant, session, user and surface from its nearest ancestor that names them,
//   whether that ancestor is in this batch, in memory, or already in the database;
// - a model-call span whose child is also a model call is a wrapper (it repeats the child's usage),
//   so its usage is not counted a second time.
// Spans whose parent has not arrived yet are reported as orphans; they are fixed up when it does.

import type { KnownSpan, RecentSpans } from './recent-spans.ts';
import { asWrapper, contextOf, type InheritedContext, type StoredSpan } from '@vigil/core';

export interface StoredLookupRequest {
  traceIds: string[];
  /** Parent span ids to fetch (with their context). */
  spanIds: string[];
}

/** key: traceId + spanId */
export type StoredLookupResult = Map<string, KnownSpan>;

export type StoredLookup = (request: StoredLookupRequest) => Promise<StoredLookupResult>;

/** A stored span that was waiting for a parent that is in this batch. */
export interface AwaitingChild {
  traceId: string;
  parentSpanId: string;
  spanId: string;
  isModelCall: boolean;
}

export interface ResolvedBatch {
  /** Spans whose parent is nowhere yet: they wait for it in spans_awaiting_parent. */
  orphans: StoredSpan[];
  /** Already stored model spans that turn out to be wrappers of a model span in this batch. */
  storedWrappers: { traceId: string; spanId: string }[];
}

function isComplete(span: StoredSpan): boolean {
  return span.tenantId !== null && span.sessionId !== null && span.userId !== null && span.surface !== null;
}

function inherit(span: StoredSpan, from: InheritedContext): void {
  span.tenantId ??= from.tenantId;
  span.sessionId ??= from.sessionId;
  span.userId ??= from.userId;
  span.surface ??= from.surface;
}

export async function resolveBatchContext(
  projectId: string,
  spans: StoredSpan[],
  recent: RecentSpans,
  lookupStored: StoredLookup,
  awaitingChildren: readonly AwaitingChild[] = [],
): Promise<ResolvedBatch> {
  // Keyed by trace, then span: no concatenated key strings to build and hash per lookup.
  const byTrace = new Map<string, Map<string, StoredSpan>>();
  for (const span of spans) {
    let trace = byTrace.get(span.traceId);
    if (!trace) byTrace.set(span.traceId, (trace = new Map()));
    trace.set(span.spanId, span);
  }
  const inBatch = (traceId: string, spanId: string) => byTrace.get(traceId)?.get(spanId);

  // Parents neither the batch nor memory knows are fetched from the database in one query.
  const missingParents = new Set<string>();
  const traceIds = new Set<string>();
  for (const span of spans) {
    if (
      span.parentSpanId &&
      !inBatch(span.traceId, span.parentSpanId) &&
      !recent.get(projectId, span.traceId, span.parentSpanId)
    ) {
      missingParents.add(span.parentSpanId);
      traceIds.add(span.traceId);
    }
  }
  const stored: StoredLookupResult =
    missingParents.size > 0 ? await lookupStored({ traceIds: [...traceIds], spanIds: [...missingParents] }) : new Map();

  // Spans with a model-call child: in this batch, in memory, or stored earlier while waiting for them.
  const modelParents = new Set<string>();
  for (const span of spans) {
    if (span.category === 'model' && !span.wrapper && span.parentSpanId)
      modelParents.add(span.traceId + span.parentSpanId);
  }
  for (const child of awaitingChildren) if (child.isModelCall) modelParents.add(child.traceId + child.parentSpanId);

  const knownParent = (span: StoredSpan): KnownSpan | undefined =>
    span.parentSpanId
      ? (recent.get(projectId, span.traceId, span.parentSpanId) ?? stored.get(span.traceId + span.parentSpanId))
      : undefined;

  // Inheritance, walking up iteratively (traces can be deep). A chain longer than the batch can
  // only be a cycle of parent ids, which is cut there.
  const resolved = new Set<StoredSpan>();
  const orphans: StoredSpan[] = [];
  const chain: StoredSpan[] = [];
  for (const start of spans) {
    if (resolved.has(start)) continue;
    chain.length = 0;
    let cursor: StoredSpan | undefined = start;
    let top: InheritedContext | null = null;
    while (cursor) {
      if (resolved.has(cursor)) {
        top = contextOf(cursor);
        break;
      }
      chain.push(cursor);
      if (chain.length > spans.length || isComplete(cursor) || !cursor.parentSpanId) break;
      const parentInBatch = inBatch(cursor.traceId, cursor.parentSpanId);
      if (parentInBatch) {
        cursor = parentInBatch;
        continue;
      }
      const known = knownParent(cursor);
      if (known) top = known.context;
      else orphans.push(cursor);
      break;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const span = chain[i]!;
      if (resolved.has(span)) continue;
      if (top) inherit(span, top);
      top = contextOf(span);
      resolved.add(span);
    }
  }

  // Wrappers: a counted model span whose child is a counted model span.
  const storedWrappers: ResolvedBatch['storedWrappers'] = [];
  for (const span of spans) {
    if (
      span.category === 'model' &&
      !span.wrapper &&
      (modelParents.has(span.traceId + span.spanId) || recent.hasModelChild(projectId, span.traceId, span.spanId))
    ) {
      asWrapper(span);
    }
  }
  for (const span of spans) {
    if (span.category !== 'model' || span.wrapper || !span.parentSpanId) continue;
    if (inBatch(span.traceId, span.parentSpanId)) continue;
    const parent = knownParent(span);
    if (parent?.category === 'model') storedWrappers.push({ traceId: span.traceId, spanId: span.parentSpanId });
  }
  return { orphans, storedWrappers };
}
