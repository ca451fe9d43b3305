// traceModelCall(): a model call to any provider as a GenAI span, for clients Vigil does not patch
// (a raw fetch to a provider, Bedrock, a local model server).

import { trace } from '@opentelemetry/api';
import { type ModelCallEnd, ModelCallTracer, type ModelUsage } from './model-call.ts';

export interface TraceModelCallOptions {
  /** gen_ai.provider.name: openai, anthropic, aws.bedrock, gcp.vertex_ai, … */
  provider: string;
  model: string;
  /** gen_ai.operation.name; default chat. */
  operation?: string;
  stream?: boolean;
  /** The prompt, recorded only with content capture on (redacted). */
  input?: unknown;
}

export interface ModelCallHandle {
  /** Call when the first content chunk arrives: that is the time to first token. */
  firstChunk(): void;
  /** Input tokens include cache reads and writes; reasoning tokens are part of the output. */
  usage(usage: ModelUsage): void;
  response(response: Omit<ModelCallEnd, 'usage'>): void;
}

let tracer: ModelCallTracer | null = null;

/** Set by init(): the tracer with the app's content-capture choice. */
export function useModelCallTracer(modelCalls: ModelCallTracer): void {
  tracer = modelCalls;
}

export async function traceModelCall<T>(
  options: TraceModelCallOptions,
  fn: (call: ModelCallHandle) => Promise<T>,
): Promise<T> {
  const modelCalls = tracer ?? new ModelCallTracer(trace.getTracer('@vigil/sdk'), false);
  const call = modelCalls.start({
    provider: options.provider,
    operation: options.operation ?? 'chat',
    requestModel: options.model,
    ...(options.stream !== undefined ? { stream: options.stream } : {}),
    input: options.input,
  });
  try {
    // The call itself is the handle: nothing more to allocate per call.
    const value = await modelCalls.within(call, () => fn(call));
    call.end();
    return value;
  } catch (error) {
    call.fail(error);
    throw error;
  }
}
