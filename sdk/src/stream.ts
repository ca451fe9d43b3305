// Watches a provider's response stream as the app reads it, without buffering or reordering: the
// first content chunk gives the time to first token, the last chunks give usage, and the call ends
// when the stream ends, fails, or the app stops reading (cancellation).

import type { ModelCall, ModelCallEnd } from './model-call.ts';

export interface StreamObserver<T> {
  /** Sees every chunk in order; calls call.firstChunk() on the first one with content. */
  chunk(chunk: T): void;
  /** What the chunks added up to, when the stream is over (also after a cancel: what was read). */
  result(): ModelCallEnd;
}

type IteratorFactory<T> = () => AsyncIterator<T>;

/**
 * Wraps the stream object in place. The official OpenAI and Anthropic streams read through an
 * instance `iterator` function (for..of, tee() and toReadableStream() all do), so that is what is
 * wrapped; any other async iterable gets its Symbol.asyncIterator wrapped.
 */
export function observeStream<T>(stream: object, call: ModelCall, observer: StreamObserver<T>): void {
  const target = stream as { iterator?: IteratorFactory<T>; [Symbol.asyncIterator]?: IteratorFactory<T> };
  const key = typeof target.iterator === 'function' ? 'iterator' : Symbol.asyncIterator;
  const original = target[key];
  if (typeof original !== 'function') {
    call.end();
    return;
  }
  const open: IteratorFactory<T> = original.bind(stream);
  Object.defineProperty(stream, key, {
    configurable: true,
    writable: true,
    value: () => watch(open(), call, observer),
  });
}

function watch<T>(inner: AsyncIterator<T>, call: ModelCall, observer: StreamObserver<T>): AsyncIterableIterator<T> {
  const safeChunk = (chunk: T) => {
    try {
      observer.chunk(chunk);
    } catch {
      // Instrumentation never breaks the app's stream.
    }
  };
  return {
    async next() {
      let step: IteratorResult<T>;
      try {
        step = await inner.next();
      } catch (error) {
        call.fail(error);
        throw error;
      }
      if (step.done) call.end(observer.result());
      else safeChunk(step.value);
      return step;
    },
    async return(value?: unknown) {
      call.cancel(observer.result());
      return inner.return ? inner.return(value) : { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      call.fail(error);
      if (inner.throw) return inner.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
