// The query benchmark's dataset: requests of an AI app over 30 days, 50 tenants and 20 surfaces
// with Zipf skew, 8 models with their own latency, a daily cycle, slow tails, errors and a canary.

import { randomBytes } from 'node:crypto';
import { createPriceCatalog } from '../src/prices/catalog.ts';
import { NO_USAGE, type SpanRow as SpanRecord } from '../src/spans/index.ts';
import { seededRandom } from '../src/seeded-random.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface WorkloadOptions {
  projectId: string;
  startMs: number;
  endMs: number;
  totalSpans: number;
  tenants: number;
  surfaces: number;
  sliceMs: number;
}

/** Zipf(s) over n ranks, sampled by inverting the CDF. */
function zipf(n: number, s: number, random: () => number): () => number {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  return () => {
    const r = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const MODELS: { model: string; provider: string; medianMs: number; ttftShare: number }[] = [
  { model: 'gpt-4o-mini', provider: 'openai', medianMs: 700, ttftShare: 0.25 },
  { model: 'gpt-4o', provider: 'openai', medianMs: 1600, ttftShare: 0.3 },
  { model: 'claude-sonnet-4-20250514', provider: 'anthropic', medianMs: 2400, ttftShare: 0.2 },
  { model: 'claude-3-5-haiku-20241022', provider: 'anthropic', medianMs: 900, ttftShare: 0.2 },
  { model: 'gemini-2.0-flash', provider: 'google', medianMs: 600, ttftShare: 0.3 },
  { model: 'o3-mini', provider: 'openai', medianMs: 5200, ttftShare: 0.6 },
  { model: 'gpt-4.1', provider: 'openai', medianMs: 1900, ttftShare: 0.3 },
  { model: 'mistral-large-latest', provider: 'mistral', medianMs: 1400, ttftShare: 0.25 },
];

/** The spans of one time slice: requests of an AI app, denser by day than by night. */
export function* generateSlices(o: WorkloadOptions): Generator<{ spans: SpanRecord[]; endMs: number }> {
  const {
    projectId,
    startMs,
    endMs,
    totalSpans: TOTAL_SPANS,
    tenants: TENANTS,
    surfaces: SURFACES,
    sliceMs: SLICE_MS,
  } = o;
  const random = seededRandom(1234);
  const tenantOf = zipf(TENANTS, 1.1, random);
  const surfaceOf = zipf(SURFACES, 0.9, random);
  const modelOf = zipf(MODELS.length, 0.8, random);
  const catalog = createPriceCatalog();
  const normal = () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
  const spansPerRequest = 6; // the mean of the mix below
  const requestsTotal = TOTAL_SPANS / spansPerRequest;
  const slices = Math.ceil((endMs - startMs) / SLICE_MS);
  const sessions = new Map<number, { id: string; user: string; left: number }>();
  let produced = 0;
  for (let s = 0; s < slices; s++) {
    const from = startMs + s * SLICE_MS;
    const to = Math.min(from + SLICE_MS, endMs);
    const hourOfDay = ((from % DAY) / HOUR + 1) % 24;
    const diurnal = 1 + 0.5 * Math.sin(((hourOfDay - 9) / 24) * 2 * Math.PI);
    const target =
      s === slices - 1 ? TOTAL_SPANS - produced : Math.round((requestsTotal / slices) * diurnal * spansPerRequest);
    const spans: SpanRecord[] = [];
    while (spans.length < target) {
      const t = tenantOf();
      const tenantId = `tenant-${String(t).padStart(2, '0')}`;
      let session = sessions.get(t);
      if (!session || session.left <= 0) {
        session = {
          id: `${tenantId}-${randomBytes(6).toString('hex')}`,
          user: `${tenantId}-user-${Math.floor(random() * 200)}`,
          left: 2 + Math.floor(random() * 16),
        };
        sessions.set(t, session);
      }
      session.left--;
      const surface = `/api/${['chat', 'search', 'summarize', 'agent', 'rag', 'classify', 'extract', 'translate', 'embed', 'moderate', 'draft', 'review', 'plan', 'code', 'sql', 'voice', 'vision', 'tools', 'memory', 'feedback'][surfaceOf()]}`;
      const deployment = from > endMs - 3 * DAY ? (random() < 0.2 ? 'v43-canary' : 'v42') : 'v42';
      const traceId = randomBytes(16).toString('hex');
      const rootId = randomBytes(8).toString('hex');
      const start = from + random() * (to - from - 30_000);
      const base = {
        projectId,
        tenantId,
        sessionId: session.id,
        userId: session.user,
        surface,
        deployment,
        traceId,
        serviceName: 'ai-app',
        kind: 1,
        statusMessage: null,
        environment: 'production',
        operation: null,
        promptName: null,
        promptVersion: null,
        ttftMs: null,
        // The bench's cache lookups do not say whether they hit (as many instrumentations): unknown.
        cacheHit: null,
        ...NO_USAGE,
        model: null,
        provider: null,
        attributes: {},
        events: [],
      };
      const rootSpan: SpanRecord = {
        ...base,
        spanId: rootId,
        parentSpanId: null,
        name: `POST ${surface}`,
        startMs: start,
        durationMs: 0,
        category: 'http',
        status: 'ok',
      };
      spans.push(rootSpan);
      let cursor = start + 2;
      const dbCalls = 1 + Math.floor(random() * 3);
      for (let d = 0; d < dbCalls; d++) {
        const cache = random() < 0.4;
        const durationMs = cache
          ? 0.2 + random() * 0.8
          : random() < 0.7
            ? 1 + random() * 3
            : 20 + Math.exp(3 + normal());
        spans.push({
          ...base,
          spanId: randomBytes(8).toString('hex'),
          parentSpanId: rootId,
          name: cache ? 'GET' : 'SELECT',
          startMs: cursor,
          durationMs,
          category: cache ? 'cache' : 'db',
          status: 'ok',
        });
        cursor += durationMs;
      }
      const calls = 1 + Math.floor(random() * 3);
      let failed = false;
      for (let c = 0; c < calls; c++) {
        const m = MODELS[modelOf()]!;
        const slow = random() < 0.05;
        const durationMs = m.medianMs * Math.exp(0.45 * normal()) * (slow ? 4 + random() * 6 : 1);
        const input = 200 + Math.floor(random() ** 2 * 8000);
        const usage = {
          inputTokens: input,
          outputTokens: 30 + Math.floor(random() * 900),
          cacheReadTokens: random() < 0.5 ? Math.floor(input * random() * 0.7) : 0,
          cacheWriteTokens: 0,
          cacheWrite1hTokens: null,
          reasoningTokens: m.model === 'o3-mini' ? Math.floor(random() * 2000) : 0,
        };
        const error = random() < 0.015;
        failed ||= error;
        const priced = catalog.price({ provider: m.provider, model: m.model, atMs: cursor, usage });
        spans.push({
          ...base,
          ...usage,
          spanId: randomBytes(8).toString('hex'),
          parentSpanId: rootId,
          name: `chat ${m.model}`,
          startMs: cursor,
          durationMs,
          category: 'model',
          status: error ? 'error' : 'ok',
          model: m.model,
          provider: m.provider,
          operation: 'chat',
          ttftMs: durationMs * m.ttftShare * (0.7 + 0.6 * random()),
          costUsd: priced.costUsd,
          costSource: priced.costUsd === null ? null : priced.source,
        });
        cursor += durationMs + 1;
      }
      rootSpan.durationMs = cursor - start + 3;
      if (failed && random() < 0.5) rootSpan.status = 'error';
    }
    produced += spans.length;
    yield { spans, endMs: to };
  }
}
