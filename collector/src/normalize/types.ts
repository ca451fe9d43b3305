// A span after dialect normalisation: the columns of the `spans` table that can be derived from the
// span and its resource alone. Trace-level work (inheriting tenant/session/user/surface from
// ancestors, spotting wrapper spans by structure, pricing) happens later in the pipeline.

import type { TokenUsage } from '@vigil/core/usage';
import type { Attributes, DecodedEvent } from '../otlp/types.ts';

export type SpanCategory = 'model' | 'db' | 'cache' | 'http' | 'other';

export interface NormalizedSpan extends TokenUsage {
  /** Set by the collector from the ingest key, never from the span. */
  projectId: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  serviceName: string;
  startMs: number;
  durationMs: number;
  category: SpanCategory;
  status: 'ok' | 'error';
  statusMessage: string | null;
  /** Set only when this span (or its resource) names them; null means "inherit from an ancestor". */
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
  ttftMs: number | null;
  /** A cost the span itself reported (gen_ai.usage.cost, llm.cost.total, ...), used when no price is known. */
  reportedCostUsd: number | null;
  /**
   * True when the dialect marks this span as an outer wrapper that repeats the usage of inner
   * provider calls (Vercel AI SDK `ai.generateText` over `ai.generateText.doGenerate`, agent and
   * workflow spans). Wrappers are never counted as model calls.
   */
  wrapper: boolean;
  /** Filled by pricing: the call's cost and where it came from. */
  costUsd: number | null;
  costSource: 'catalog' | 'override' | 'span' | null;
  /** Span attributes after content stripping (prompts and completions removed unless captured). */
  attributes: Attributes;
  events: DecodedEvent[];
}

export interface NormalizeOptions {
  /** Attribute keys that name the tenant, in precedence order. Default ['tenant.id']. */
  tenantKeys: string[];
  /** Keep prompt and completion content attributes. Default false: they are removed. */
  captureContent: boolean;
}
