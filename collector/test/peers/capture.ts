// Runs one peer instrumentation against the fake providers, as an app would (a plain Node process,
// not the test runner's module graph), and prints what its spans look like on the wire: an
// OTLP/JSON request body, serialised by the OpenTelemetry exporter code.
//
//   node collector/test/peers/capture.ts <case>

import { createRequire } from 'node:module';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { OpenAIInstrumentation as OpenInferenceOpenAI } from '@arizeai/openinference-instrumentation-openai';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { OpenAIInstrumentation as OpenLLMetryOpenAI } from '@traceloop/instrumentation-openai';
import { startFakeProviders } from '@vigil/fake-providers';
import { generateText, streamText } from 'ai';
import { PEER_BEHAVIOUR } from './behaviour.ts';

const require = createRequire(import.meta.url);

const exporter = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'peer-app', 'service.version': 'v9' }),
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
const tracer = tracerProvider.getTracer('peer-app');
const providers = await startFakeProviders(PEER_BEHAVIOUR);

const vercel = {
  openai: () => createOpenAI({ baseURL: providers.openaiBaseUrl, apiKey: 'sk-test' }).chat('gpt-4o-mini'),
  anthropic: () =>
    createAnthropic({ baseURL: `${providers.anthropicBaseUrl}/v1`, apiKey: 'sk-ant-test' })('claude-sonnet-4-5'),
};

const cases: Record<string, () => Promise<void>> = {
  'vercel-semconv-openai': async () => {
    await generateText({
      model: vercel.openai(),
      prompt: 'hello',
      telemetry: { functionId: 'answer', integrations: new OpenTelemetry({ tracer, usage: true }) },
    });
  },
  'vercel-semconv-anthropic-stream': async () => {
    await streamText({
      model: vercel.anthropic(),
      prompt: 'hello',
      telemetry: { functionId: 'answer', integrations: new OpenTelemetry({ tracer, usage: true }) },
    }).consumeStream();
  },
  'vercel-legacy-openai': async () => {
    await generateText({
      model: vercel.openai(),
      prompt: 'hello',
      telemetry: { functionId: 'answer', integrations: new LegacyOpenTelemetry({ tracer }) },
    });
  },
  'vercel-legacy-anthropic-stream': async () => {
    await streamText({
      model: vercel.anthropic(),
      prompt: 'hello',
      telemetry: { functionId: 'answer', integrations: new LegacyOpenTelemetry({ tracer }) },
    }).consumeStream();
  },
  'openllmetry-openai': async () => {
    const instrumentation = new OpenLLMetryOpenAI({ traceContent: false });
    instrumentation.setTracerProvider(tracerProvider);
    const openai = require('openai');
    instrumentation.manuallyInstrument(openai);
    const client = new openai.OpenAI({ baseURL: providers.openaiBaseUrl, apiKey: 'sk-test' });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
  },
  // @traceloop/instrumentation-anthropic 0.27 cannot patch @anthropic-ai/sdk 1.x (it looks for the
  // removed Anthropic.Completions class and throws), so OpenLLMetry's Anthropic spans are not
  // captured here; the hand-written openllmetry fixture stands in.
  'openinference-openai': async () => {
    const instrumentation = new OpenInferenceOpenAI({ tracerProvider });
    const openai = require('openai');
    instrumentation.manuallyInstrument(openai);
    const client = new openai.OpenAI({ baseURL: providers.openaiBaseUrl, apiKey: 'sk-test' });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
  },
  'openinference-openai-stream': async () => {
    const instrumentation = new OpenInferenceOpenAI({ tracerProvider });
    const openai = require('openai');
    instrumentation.manuallyInstrument(openai);
    const client = new openai.OpenAI({ baseURL: providers.openaiBaseUrl, apiKey: 'sk-test' });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _chunk of stream) {
      // read to the end, as an app would
    }
  },
};

const name = process.argv[2] ?? '';
const run = cases[name];
if (!run) {
  process.stderr.write(`unknown case "${name}"; cases: ${Object.keys(cases).join(', ')}\n`);
  process.exit(2);
}
await run();
await tracerProvider.forceFlush();
process.stdout.write(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!));
await providers.close();
