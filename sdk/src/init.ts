// init(): the OpenTelemetry Node SDK set up for an AI app. Spans from pg, undici (fetch, and so
// supabase-js), ioredis, redis, node:http and the OpenAI and Anthropic clients, stamped with the
// request's tenant, session and user, exported in batches over OTLP/HTTP to Vigil's collector.

import { createRequire, register } from 'node:module';
import { diag, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import { ContextSpanProcessor } from './context-span-processor.ts';
import { ModelCallTracer } from './model-call.ts';
import { type InitOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import { patchAnthropic } from './providers/anthropic.ts';
import { patchOpenAI } from './providers/openai.ts';
import { postgrestAttributes } from './supabase.ts';
import { useModelCallTracer } from './trace-model-call.ts';

export interface Vigil {
  /** The settings in effect (the API key is not among them). */
  readonly settings: Omit<ResolvedOptions, 'headers' | 'instrument'>;
  /** Which model clients were patched. */
  readonly instrumented: { openai: boolean; anthropic: boolean };
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Exports what is buffered and stops. Also runs on SIGTERM and SIGINT. */
  shutdown(): Promise<void>;
}

let active: Vigil | null = null;

export async function init(input: InitOptions = {}): Promise<Vigil> {
  if (active) return active;
  const options = resolveOptions(input);
  const exporterConfig = { url: options.tracesUrl, headers: options.headers, timeoutMillis: 10_000 };
  const exporter =
    options.protocol === 'http/json' ? new OTLPJsonExporter(exporterConfig) : new OTLPProtoExporter(exporterConfig);
  const collectorOrigin = new URL(options.tracesUrl).origin;
  // The model clients are loaded and patched before the import hook below, which would otherwise
  // wrap each of their hundreds of modules for nothing. The tracer resolves once the SDK starts.
  const modelCalls = new ModelCallTracer(trace.getTracer('@vigil/sdk'), options.captureContent);
  useModelCallTracer(modelCalls);
  const instrumented = await instrumentModelClients(options, modelCalls);
  // ES modules imported from now on (pg, ioredis, … from an ESM app) go through OpenTelemetry's
  // import hook, so the instrumentations can patch them as they do CommonJS requires.
  try {
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  } catch (error) {
    diag.warn(`vigil: ESM instrumentation hook not registered: ${(error as Error).message}`);
  }
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      ...(options.deployment ? { 'service.version': options.deployment, 'vigil.deployment': options.deployment } : {}),
      ...(options.environment ? { 'deployment.environment.name': options.environment } : {}),
    }),
    // Context first, so the batch exporter sees spans with tenant, session and user on them.
    spanProcessors: [
      new ContextSpanProcessor(),
      new BatchSpanProcessor({ exporter, maxQueueSize: 8192, scheduledDelayMillis: 2000 }),
    ],
    sampler: new ParentBasedSampler({
      root: options.sampleRate >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(options.sampleRate),
    }),
    // Traces only. Left to the environment, the Node SDK would also start OTLP metric and log
    // exporters to localhost:4318, which Vigil does not serve (and whose shutdown then waits out
    // its retries).
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreOutgoingRequestHook: (request) =>
          `${request.protocol ?? 'http:'}//${request.host ?? request.hostname}` === collectorOrigin,
      }),
      new UndiciInstrumentation({
        ignoreRequestHook: (request) => request.origin === collectorOrigin,
        startSpanHook: (request) => postgrestAttributes(request.method, request.path),
      }),
      // Pool checkouts and connects are noise beside the queries, and most of the spans pg makes.
      new PgInstrumentation({ requireParentSpan: false, ignoreConnectSpans: true }),
      new IORedisInstrumentation(),
      new RedisInstrumentation(),
    ],
  });
  sdk.start();

  let stopping: Promise<void> | null = null;
  const shutdown = () =>
    (stopping ??= sdk.shutdown().catch((error: unknown) => diag.warn(`vigil: shutdown: ${(error as Error).message}`)));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown().finally(() => {
        // Leave the exit to the app if it handles the signal too; otherwise exit as Node would.
        if (process.listenerCount(signal) === 0) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
      });
    });
  }
  const { headers: _headers, instrument: _instrument, ...settings } = options;
  active = {
    settings,
    instrumented,
    flush: () => flushProvider(),
    shutdown: async () => {
      await shutdown();
      active = null;
    },
  };
  return active;
}

/** Exports what is buffered and stops, if init() ran: for an app's own signal handler. */
export async function shutdown(): Promise<void> {
  await active?.shutdown();
}

async function flushProvider(): Promise<void> {
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const provider = (proxy.getDelegate?.() ?? proxy) as { forceFlush?: () => Promise<void> };
  await provider.forceFlush?.().catch((error: unknown) => diag.warn(`vigil: flush: ${(error as Error).message}`));
}

/**
 * Patches the model clients the app was given (options.instrument) and the copies Vigil can load
 * itself: a package's ESM and CommonJS builds are separate classes, so both are patched.
 */
async function instrumentModelClients(
  options: ResolvedOptions,
  tracer: ModelCallTracer,
): Promise<{ openai: boolean; anthropic: boolean }> {
  const require = createRequire(import.meta.url);
  const copies = async (name: string, given: unknown): Promise<unknown[]> => {
    const found: unknown[] = given ? [given] : [];
    try {
      found.push(await import(name));
    } catch {
      // Not installed: nothing to patch.
    }
    try {
      found.push(require(name));
    } catch {
      // No CommonJS build, or not installed.
    }
    return found;
  };
  let openai = false;
  for (const module of await copies('openai', options.instrument.openai))
    openai = patchOpenAI(module, tracer, { requestStreamUsage: true }) || openai;
  let anthropic = false;
  for (const module of await copies('@anthropic-ai/sdk', options.instrument.anthropic))
    anthropic = patchAnthropic(module, tracer) || anthropic;
  return { openai, anthropic };
}
