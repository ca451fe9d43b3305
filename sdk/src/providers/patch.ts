// Wraps a provider resource's `create` so each call becomes a model-call span. The provider's own
// promise type (APIPromise, with withResponse() and asResponse()) is kept: results pass through its
// _thenUnwrap when it has one. Instrumentation failures never reach the app.

import type { ModelCall, ModelCallStart, ModelCallTracer } from '../model-call.ts';

export interface Patchable {
  create?: (...args: unknown[]) => unknown;
}

export interface CallPlan {
  /** The request to send (the app's, or a copy with additions such as include_usage). */
  request: Record<string, unknown>;
  start: ModelCallStart;
  /** Sees the parsed result; ends the call (now, or when its stream ends). */
  onResult(result: unknown, call: ModelCall): void;
}

const PATCHED = Symbol.for('vigil.sdk.patched');

interface ProviderPromise<T> extends Promise<T> {
  _thenUnwrap?: (transform: (data: T) => T) => ProviderPromise<T>;
}

export function wrapCreate(
  prototype: Patchable,
  tracer: ModelCallTracer,
  plan: (resource: unknown, body: Record<string, unknown>) => CallPlan,
): boolean {
  const original = prototype.create;
  if (typeof original !== 'function' || (original as { [PATCHED]?: boolean })[PATCHED]) return false;
  const wrapped = function (this: unknown, body: unknown, ...rest: unknown[]): unknown {
    let planned: CallPlan;
    let call: ModelCall;
    try {
      planned = plan(this, (body ?? {}) as Record<string, unknown>);
      call = tracer.start(planned.start);
    } catch {
      return original.call(this, body, ...rest);
    }
    let promise: ProviderPromise<unknown>;
    try {
      promise = tracer.within(call, () => original.call(this, planned.request, ...rest)) as ProviderPromise<unknown>;
    } catch (error) {
      call.fail(error);
      throw error;
    }
    const observe = (data: unknown) => {
      try {
        planned.onResult(data, call);
      } catch {
        call.end();
      }
      return data;
    };
    if (typeof promise?._thenUnwrap === 'function') {
      const result = promise._thenUnwrap(observe);
      // Observes a failure without handling it for the app, which still sees the rejection.
      result.then(undefined, (error: unknown) => call.fail(error));
      return result;
    }
    return Promise.resolve(promise).then(observe, (error: unknown) => {
      call.fail(error);
      throw error;
    });
  };
  Object.defineProperty(wrapped, PATCHED, { value: true });
  prototype.create = wrapped;
  return true;
}

/** server.address and server.port from the client's base URL. */
export function serverOf(resource: unknown): { serverAddress?: string; serverPort?: number } {
  try {
    const baseURL = (resource as { _client?: { baseURL?: string } })._client?.baseURL;
    if (!baseURL) return {};
    const url = new URL(baseURL);
    return {
      serverAddress: url.hostname,
      serverPort: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    };
  } catch {
    return {};
  }
}
