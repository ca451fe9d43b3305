// The demo's past week, so a new user's first look has history: the example app's traffic over
// seven days (a daily curve across its eight tenants), sent through the collector's OTLP/HTTP
// endpoint like any exporter's, with past timestamps; the collector stores, prices and rolls it up.
// On day five a canary (v1.1-canary) ran on a slow, costly model for an hour: its spans are here,
// and demo-incident.ts replays the alert engine over that hour.

import { randomBytes } from 'node:crypto';
import { DAY_MS, floorTo, HOUR_MS, MINUTE_MS, seededRandom } from '@vigil/core';

export const HISTORY_DAYS = 7;

/** The past incident: a canary of v1 on a slow, pricier, failing model, on day five of the week. */
export interface PastIncident {
  deployment: string;
  baseline: string;
  fromMs: number;
  /** Traffic to the canary stops here: when the engine rolled it back, at the latest. */
  toMs: number;
  /** The canary's share of requests while it ran. */
  weight: number;
}

export function pastIncident(nowMs: number): PastIncident {
  const weekStart = floorTo(nowMs - HISTORY_DAYS * DAY_MS, DAY_MS);
  const fromMs = weekStart + 4 * DAY_MS + 14 * HOUR_MS;
  return { deployment: 'v1.1-canary', baseline: 'v1', fromMs, toMs: fromMs + HOUR_MS, weight: 0.25 };
}

interface Model {
  name: string;
  provider: string;
  ttftMs: number;
  interChunkMs: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  errorRate: number;
}

/** As the live demo's fake providers answer (demo.ts), v1's model and the incident's. */
const V1_MODEL: Model = {
  name: 'gpt-4o-mini',
  provider: 'openai',
  ttftMs: 350,
  interChunkMs: 12,
  inputTokens: 900,
  outputTokens: 60,
  cacheReadTokens: 256,
  errorRate: 0.02,
};
const INCIDENT_MODEL: Model = {
  name: 'gpt-4o',
  provider: 'openai',
  ttftMs: 2600,
  interChunkMs: 25,
  inputTokens: 900,
  outputTokens: 400,
  cacheReadTokens: 0,
  errorRate: 0.08,
};

type AttributeValue = string | number | boolean;
type OtlpValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number };
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code: number; message?: string };
}

function otlpValue(value: AttributeValue): OtlpValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

function attributes(values: Record<string, AttributeValue>): OtlpSpan['attributes'] {
  return Object.entries(values).map(([key, value]) => ({ key, value: otlpValue(value) }));
}

const nanos = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;

/** Requests a minute at this instant: quiet nights, a busy afternoon (UTC), quieter weekends. */
function requestsPerMinute(ms: number, incident: PastIncident): number {
  if (ms >= incident.fromMs && ms < incident.toMs) return 24; // the launch the canary shipped for
  const hour = (ms % DAY_MS) / HOUR_MS;
  const daily = 0.25 + 0.75 * Math.max(0, Math.sin(((hour - 7) / 14) * Math.PI));
  const weekday = new Date(ms).getUTCDay();
  return 3 * daily * (weekday === 0 || weekday === 6 ? 0.5 : 1);
}

/** One request of the example app, as its instrumentation reports it (the spans of orchestrator.ts). */
function requestSpans(random: () => number, startMs: number, deployment: string, model: Model): OtlpSpan[] {
  const traceId = randomBytes(16).toString('hex');
  const id = () => randomBytes(8).toString('hex');
  const tenant = `tenant-${Math.floor(random() ** 2 * 8)}`;
  const user = `${tenant}-user-${Math.floor(random() * 12)}`;
  const identity = {
    'tenant.id': tenant,
    'user.id': user,
    'session.id': `${user}-session-${Math.floor(random() * 4)}`,
    'vigil.deployment': deployment,
  };
  const rootId = id();
  const spans: OtlpSpan[] = [];
  let at = startMs + 1;
  const child = (
    name: string,
    kind: number,
    durationMs: number,
    values: Record<string, AttributeValue>,
    error = false,
  ) => {
    spans.push({
      traceId,
      spanId: id(),
      parentSpanId: rootId,
      name,
      kind,
      startTimeUnixNano: nanos(at),
      endTimeUnixNano: nanos(at + durationMs),
      attributes: attributes({ ...identity, ...values }),
      ...(error ? { status: { code: 2, message: 'upstream error' } } : {}),
    });
    at += durationMs + 0.5;
  };
  const select = { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' };
  child('SELECT ai_api_calls', 3, 1 + random() * 3, { ...select, 'db.collection.name': 'ai_api_calls' });
  // Questions repeat about a third of the time, and then the semantic cache answers.
  const hit = random() < 0.33;
  child('cache.get semantic', 1, 1 + random() * 4, { 'cache.name': 'semantic', 'cache.hit': hit });
  let failed = false;
  if (!hit) {
    child('SELECT documents', 3, 2 + random() * 10, { ...select, 'db.collection.name': 'documents' });
    const ttft = model.ttftMs * (0.7 + random() * 0.6);
    const output = Math.round(model.outputTokens * (0.6 + random() * 0.8));
    failed = random() < model.errorRate;
    child(
      `chat ${model.name}`,
      3,
      failed ? ttft : ttft + output * model.interChunkMs,
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': model.provider,
        'gen_ai.request.model': model.name,
        'gen_ai.request.stream': true,
        ...(failed
          ? { 'error.type': '500' }
          : {
              'gen_ai.response.model': model.name,
              'gen_ai.usage.input_tokens': model.inputTokens,
              'gen_ai.usage.output_tokens': output,
              'gen_ai.usage.cache_read.input_tokens': model.cacheReadTokens,
              'gen_ai.response.time_to_first_chunk': ttft / 1000,
            }),
      },
      failed,
    );
    if (!failed)
      child('INSERT semantic_cache', 3, 1 + random() * 2, {
        'db.system.name': 'postgresql',
        'db.operation.name': 'INSERT',
        'db.collection.name': 'semantic_cache',
      });
  }
  spans.unshift({
    traceId,
    spanId: rootId,
    name: 'POST /api/answer',
    kind: 2,
    startTimeUnixNano: nanos(startMs),
    endTimeUnixNano: nanos(at + 1),
    attributes: attributes({
      ...identity,
      'http.request.method': 'POST',
      'http.route': '/api/answer',
      'http.response.status_code': failed ? 502 : 200,
    }),
    ...(failed ? { status: { code: 2 } } : {}),
  });
  return spans;
}

/** The week's requests, oldest first, in batches of about `batchSpans` spans. */
export function* historyBatches(nowMs: number, untilMs: number, batchSpans = 2000): Generator<OtlpSpan[]> {
  const random = seededRandom(20261206);
  const incident = pastIncident(nowMs);
  const fromMs = floorTo(nowMs - HISTORY_DAYS * DAY_MS, MINUTE_MS);
  let batch: OtlpSpan[] = [];
  for (let minute = fromMs; minute < untilMs; minute += MINUTE_MS) {
    const rate = requestsPerMinute(minute, incident);
    // Whole requests, with the fraction carried by chance.
    const count = Math.floor(rate) + (random() < rate % 1 ? 1 : 0);
    for (let i = 0; i < count; i++) {
      const startMs = minute + random() * MINUTE_MS;
      const canary = startMs >= incident.fromMs && startMs < incident.toMs && random() < incident.weight;
      batch.push(
        ...requestSpans(random, startMs, canary ? incident.deployment : 'v1', canary ? INCIDENT_MODEL : V1_MODEL),
      );
    }
    if (batch.length >= batchSpans) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Sends the week through the collector (OTLP/HTTP JSON, the demo's ingest key), up to `untilMs`,
 * where the live traffic takes over. Returns the spans the collector accepted.
 */
export async function sendDemoHistory(
  collectorUrl: string,
  key: string,
  nowMs: number,
  untilMs: number,
): Promise<number> {
  let sent = 0;
  for (const spans of historyBatches(nowMs, untilMs)) {
    const body = {
      resourceSpans: [
        {
          resource: {
            attributes: attributes({ 'service.name': 'ai-app', 'deployment.environment.name': 'demo' }),
          },
          scopeSpans: [{ scope: { name: '@vigil/sdk' }, spans }],
        },
      ],
    };
    const payload = JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${collectorUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: payload,
      });
      if (response.ok) break;
      // Backpressure, as an exporter would handle it: wait as told, then send the same batch again.
      if ((response.status === 429 || response.status === 503) && attempt < 20) {
        await response.body?.cancel();
        const wait = Number(response.headers.get('retry-after') ?? 1);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5, Math.max(0.2, wait)) * 1000));
        continue;
      }
      throw new Error(`the collector refused the demo's history (${response.status}): ${await response.text()}`);
    }
    sent += spans.length;
  }
  return sent;
}
