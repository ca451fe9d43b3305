// One model call as a span in the OTel GenAI semantic conventions: operation, provider, request and
// response model, tokens (input including cache reads and writes, as the conventions say), finish
// reasons, time to first chunk on streams, and content only when the app opted in.

import { type Attributes, type Span, SpanKind, SpanStatusCode, type Tracer, context, trace } from '@opentelemetry/api';
import { redact } from './redact.ts';

export interface ModelCallStart {
  /** gen_ai.provider.name: openai, anthropic, aws.bedrock, … */
  provider: string;
  /** gen_ai.operation.name: chat, text_completion, embeddings, … */
  operation: string;
  requestModel: string;
  stream?: boolean;
  serverAddress?: string;
  serverPort?: number;
  /** The request's messages or prompt, recorded only with content capture on. */
  input?: unknown;
}

export interface ModelUsage {
  /** All input tokens, cache reads and writes included. */
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** Counted within outputTokens. */
  reasoningTokens?: number;
}

export interface ModelCallEnd {
  responseModel?: string;
  responseId?: string;
  finishReasons?: string[];
  usage?: ModelUsage;
  output?: unknown;
}

/** A model call in flight. Every method is safe to call more than once; the first end wins. */
export class ModelCall {
  private readonly span: Span;
  private readonly startedAt = performance.now();
  private firstChunkAt: number | null = null;
  private ended = false;
  private readonly captureContent: boolean;
  // What usage() and response() reported before the end.
  private reported: ModelCallEnd | null = null;

  constructor(span: Span, captureContent: boolean) {
    this.span = span;
    this.captureContent = captureContent;
  }

  /** The span, to run provider work under it (so HTTP spans below are its children). */
  get otelSpan(): Span {
    return this.span;
  }

  /** Marks the first content chunk of a stream: the time to first token. */
  firstChunk(): void {
    if (this.firstChunkAt !== null || this.ended) return;
    this.firstChunkAt = performance.now();
    this.span.setAttribute('gen_ai.response.time_to_first_chunk', (this.firstChunkAt - this.startedAt) / 1000);
  }

  /** Token usage, kept until the end. Input includes cache reads and writes; reasoning is output. */
  usage(usage: ModelUsage): void {
    (this.reported ??= {}).usage = usage;
  }

  /** Response details (model, id, finish reasons, output), kept until the end. */
  response(response: Omit<ModelCallEnd, 'usage'>): void {
    this.reported = Object.assign(this.reported ?? {}, response);
  }

  end(ended: ModelCallEnd = {}): void {
    if (this.ended) return;
    this.ended = true;
    const result = this.reported ? { ...this.reported, ...ended } : ended;
    const span = this.span;
    if (result.responseModel) span.setAttribute('gen_ai.response.model', result.responseModel);
    if (result.responseId) span.setAttribute('gen_ai.response.id', result.responseId);
    if (result.finishReasons?.length) span.setAttribute('gen_ai.response.finish_reasons', result.finishReasons);
    const usage = result.usage;
    if (usage) {
      setNumber(span, 'gen_ai.usage.input_tokens', usage.inputTokens);
      setNumber(span, 'gen_ai.usage.output_tokens', usage.outputTokens);
      setNumber(span, 'gen_ai.usage.cache_read.input_tokens', usage.cacheReadTokens);
      setNumber(span, 'gen_ai.usage.cache_creation.input_tokens', usage.cacheWriteTokens);
      setNumber(span, 'gen_ai.usage.reasoning.output_tokens', usage.reasoningTokens);
    }
    if (this.captureContent && result.output !== undefined)
      span.setAttribute('gen_ai.output.messages', redact(JSON.stringify(result.output)));
    span.end();
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const err = error instanceof Error ? error : new Error(String(error));
    const status = (error as { status?: unknown }).status;
    this.span.setAttribute('error.type', typeof status === 'number' ? String(status) : err.name || 'Error');
    this.span.recordException(err);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    this.span.end();
  }

  /** The caller stopped reading a stream before its end: the call ends with what was read. */
  cancel(partial: ModelCallEnd = {}): void {
    if (this.ended) return;
    this.span.setAttribute('vigil.cancelled', true);
    this.end(partial);
  }
}

function setNumber(span: Span, key: string, value: number | undefined | null): void {
  if (typeof value === 'number' && Number.isFinite(value)) span.setAttribute(key, value);
}

export class ModelCallTracer {
  private readonly tracer: Tracer;
  readonly captureContent: boolean;

  constructor(tracer: Tracer, captureContent: boolean) {
    this.tracer = tracer;
    this.captureContent = captureContent;
  }

  start(call: ModelCallStart): ModelCall {
    // The attributes that sampling decisions may use are set at creation, as the conventions ask.
    const attributes: Attributes = {
      'gen_ai.operation.name': call.operation,
      'gen_ai.provider.name': call.provider,
      'gen_ai.request.model': call.requestModel,
    };
    if (call.stream !== undefined) attributes['gen_ai.request.stream'] = call.stream;
    if (call.serverAddress) attributes['server.address'] = call.serverAddress;
    if (call.serverPort) attributes['server.port'] = call.serverPort;
    const span = this.tracer.startSpan(`${call.operation} ${call.requestModel}`, { kind: SpanKind.CLIENT, attributes });
    if (this.captureContent && call.input !== undefined)
      span.setAttribute('gen_ai.input.messages', redact(JSON.stringify(call.input)));
    return new ModelCall(span, this.captureContent);
  }

  /** Runs fn with the call's span active, so spans started inside are its children. */
  within<T>(call: ModelCall, fn: () => T): T {
    return context.with(trace.setSpan(context.active(), call.otelSpan), fn);
  }
}
