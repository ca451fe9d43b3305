// The stored span: one definition of what a row of `spans` holds, the rule that makes a span a
// wrapper, and the sentinels that stand for "no tenant" and "all tenants". The collector produces
// it, rollups and sessions count it, the query API reads it back; each imports it from here.

import type { TokenUsage } from '../usage.ts';

export type SpanCategory = 'model' | 'db' | 'cache' | 'http' | 'other';
export type SpanStatus = 'ok' | 'error';
/** Where a span's cost came from. */
export type CostSource = 'catalog' | 'override' | 'span';

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface SpanEvent {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

/** One evaluator's verdict on a span (gen_ai.evaluation.result): a score, a label, or both. */
export interface EvaluationResult {
  name: string;
  score: number | null;
  label: string | null;
  atMs: number;
}

/** A span's tenant when neither it nor any ancestor names one (`spans.tenant_id`'s default). */
export const NO_TENANT = 'unknown';
/** `tenant_id` of rows that concern every tenant of a project: all-tenant rollups, budgets, alerts. */
export const ALL_TENANTS = '*';
/** A dimension a rollup row sums over, or a span does not have (rollup key columns are not null). */
export const NO_DIMENSION = '';

/** The same sentinels as SQL literals, for queries that compare against them. */
export const SQL_NO_TENANT = `'${NO_TENANT}'`;
export const SQL_ALL_TENANTS = `'${ALL_TENANTS}'`;

export interface StoredSpan extends TokenUsage {
  /** Set by the collector from the ingest key, never from the span. */
  projectId: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  serviceName: string;
  startMs: number;
  /**
   * Null when unknown: an agent event that reports a call's usage but not its time (Codex CLI), a
   * span whose end precedes its start. Rollups count such a call but leave it out of latency.
   */
  durationMs: number | null;
  category: SpanCategory;
  status: SpanStatus;
  statusMessage: string | null;
  /**
   * Null until known: the span names none, and it inherits from an ancestor that does. Stored as
   * NO_TENANT when nothing in the trace names one.
   */
  tenantId: string | null;
  sessionId: string | null;
  userId: string | null;
  /** The user-facing surface: http.route, an explicit vigil.surface, or null to inherit. */
  surface: string | null;
  deployment: string | null;
  environment: string | null;
  model: string | null;
  /** Normalised provider id: openai, anthropic, aws.bedrock, gcp.vertex_ai, ... */
  provider: string | null;
  /** gen_ai.operation.name or the dialect's equivalent (chat, embeddings, text_completion, ...). */
  operation: string | null;
  /** The managed prompt the call used (gen_ai.prompt.name, Langfuse's prompt name), a dimension. */
  promptName: string | null;
  promptVersion: string | null;
  ttftMs: number | null;
  /**
   * A cache lookup's outcome: true a hit, false a miss; null for any other span, and for a lookup
   * whose instrumentation did not say (unknown is not a miss). collector/src/normalize/cache-hit.ts.
   */
  cacheHit: boolean | null;
  /**
   * The cost the emitting library computed itself (gen_ai.usage.cost, llm.cost.total, Langfuse's
   * cost_details, ...): stored next to Vigil's own, and used as the cost when no price is known.
   */
  reportedCostUsd: number | null;
  /**
   * An outer span that repeats the usage of inner provider calls (Vercel AI SDK `ai.generateText`
   * over `….doGenerate`, agent and workflow spans, a model span with a model-call child). Not
   * stored as such: see asWrapper().
   */
  wrapper: boolean;
  /** Filled by pricing: the call's cost and where it came from. */
  costUsd: number | null;
  costSource: CostSource | null;
  /** Span attributes without content (prompts, completions and tool payloads: content.ts). */
  attributes: Attributes;
  /** Span events without content. */
  events: SpanEvent[];
  /**
   * The content a project that captures it keeps, stored apart from the span (span_contents) so
   * row-level security shows it only to roles that may read content.
   */
  content?: SpanContent;
  /** Evaluation results the span carries (its gen_ai.evaluation.result events, or its own attributes). */
  evaluations?: EvaluationResult[];
}

/** A span's captured content: its content attributes, and its events as sent when any held content. */
export interface SpanContent {
  attributes: Attributes;
  events: SpanEvent[] | null;
}

/**
 * A span's stored columns, as the collector writes them and as bulk loaders (backfills, benches)
 * build them: StoredSpan without what only ingest uses.
 */
export type SpanRow = Omit<StoredSpan, 'wrapper'> & { wrapper?: boolean };

/** The context a span passes to its descendants when they do not name it themselves. */
export interface InheritedContext {
  tenantId: string | null;
  sessionId: string | null;
  userId: string | null;
  surface: string | null;
}

export function contextOf(span: InheritedContext): InheritedContext {
  return { tenantId: span.tenantId, sessionId: span.sessionId, userId: span.userId, surface: span.surface };
}

/** The context a stored span passes on: a stored NO_TENANT is "not known yet", not a tenant. */
export function storedContextOf(span: InheritedContext): InheritedContext {
  return { ...contextOf(span), tenantId: span.tenantId === NO_TENANT ? null : span.tenantId };
}

/** A span that reports no usage: every token count and its cost unknown (null, never zero). */
export const NO_USAGE = {
  inputTokens: null,
  outputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  cacheWrite1hTokens: null,
  reasoningTokens: null,
  costUsd: null,
  costSource: null,
  reportedCostUsd: null,
} as const satisfies Partial<StoredSpan>;

/**
 * What a wrapper keeps of a model span: its span, but not its usage or cost, which the inner call
 * carries (so no model call is counted twice). In TypeScript for spans at ingest, as SQL for
 * spans stored before their inner call arrived.
 */
export const WRAPPER_FIELDS = { category: 'other', ...NO_USAGE } as const satisfies Partial<StoredSpan>;

/** Makes a span a wrapper, in place (the ingest path does this per span). */
export function asWrapper(span: StoredSpan): void {
  span.wrapper = true;
  Object.assign(span, WRAPPER_FIELDS);
}

/** A model-call span is one row of ai_api_calls (stored as category 'model'); wrappers and other categories are not. */
export function isCountedModelCall(span: { category: SpanCategory; wrapper?: boolean }): boolean {
  return span.category === 'model' && !span.wrapper;
}
