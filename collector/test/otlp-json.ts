// Builds OTLP/JSON request bodies by hand, for tests that need exact control over ids, order and
// attributes (the real exporters are used where that control is not needed).

export interface TestSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startMs?: number;
  durationMs?: number;
  error?: boolean;
  attributes?: Record<string, string | number | boolean | string[]>;
}

function anyValue(value: string | number | boolean | string[]): Record<string, unknown> {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v) => ({ stringValue: v })) } };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { stringValue: value };
}

function keyValues(attributes: Record<string, string | number | boolean | string[]>): unknown[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

export function otlpJsonBody(
  spans: TestSpan[],
  resource: Record<string, string> = { 'service.name': 'test-app' },
): string {
  const now = Date.now();
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [
          {
            scope: { name: 'vigil-test' },
            spans: spans.map((span) => {
              const start = span.startMs ?? now;
              const end = start + (span.durationMs ?? 10);
              return {
                traceId: span.traceId,
                spanId: span.spanId,
                ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
                name: span.name,
                kind: span.kind ?? 1,
                startTimeUnixNano: String(BigInt(Math.round(start)) * 1_000_000n),
                endTimeUnixNano: String(BigInt(Math.round(end)) * 1_000_000n),
                attributes: keyValues(span.attributes ?? {}),
                status: span.error ? { code: 2, message: 'boom' } : {},
              };
            }),
          },
        ],
      },
    ],
  });
}

export async function postJson(
  url: string,
  key: string | null,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body,
  });
}

/** POSTs an OTLP/JSON body of any signal to `path` (/v1/traces, /v1/logs, /v1/metrics) and reads the answer. */
export async function postSignal(
  url: string,
  key: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** An OTLP/JSON KeyValue: numbers as intValue (decimal strings), the rest as strings. */
export const kv = (key: string, value: string | number) => ({
  key,
  value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value },
});

/** GenAI semconv attributes of one chat call. */
export function chatAttributes(
  model: string,
  input: number,
  output: number,
  extra: Record<string, number | string> = {},
): Record<string, number | string> {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': model,
    'gen_ai.usage.input_tokens': input,
    'gen_ai.usage.output_tokens': output,
    ...extra,
  };
}
