// Which OTLP metrics Vigil reads and what each point measures: GenAI semconv metrics under every
// published name, and Claude Code's. Pure: a metric's name and a point's attributes in, a measure
// out. The dimensions (service, tenant, model, provider, deployment, status) come from the point's
// attributes and the resource by the same keys and precedence as spans (identity.ts).

import type { Attributes } from '../otlp/types.ts';
import { resourceIdentity, SURFACE_KEYS, sessionOf, tenantOf } from './identity.ts';
import { inferProviderFromModel, normalizeProvider } from './provider.ts';
import { firstId } from './values.ts';

export type TokenType = 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'reasoning';

/**
 * calls: a histogram of call durations (count = calls, errors when `error.type` is set);
 * ttft: a histogram of times to first token; tokens: token counts of one type (a histogram's sum or
 * a counter); cost: the emitter's own cost estimate in USD (a counter).
 */
export type MetricMeasure =
  | { kind: 'calls' }
  | { kind: 'ttft' }
  | {
      kind: 'tokens';
      type: TokenType /** A cache part sent apart from an input count that leaves it out. */;
      addToInput: boolean;
    }
  | { kind: 'cost' };

const SEMCONV_TOKEN_TYPES: Record<string, TokenType> = { input: 'input', output: 'output' };
// Claude Code's `type` attribute (code.claude.com/docs/en/monitoring-usage); its input leaves the
// cached parts out, as Anthropic's API does.
const CLAUDE_TOKEN_TYPES: Record<string, { type: TokenType; addToInput: boolean }> = {
  input: { type: 'input', addToInput: false },
  output: { type: 'output', addToInput: false },
  cacheRead: { type: 'cacheRead', addToInput: true },
  cacheCreation: { type: 'cacheWrite', addToInput: true },
};

const tokens = (type: TokenType) => () => ({ kind: 'tokens', type, addToInput: false }) as const;
const byTokenType = (a: Attributes): MetricMeasure | null => {
  const type = SEMCONV_TOKEN_TYPES[String(a['gen_ai.token.type'] ?? '')];
  return type ? { kind: 'tokens', type, addToInput: false } : null;
};

/** The table of rules (also in the collector README, under Metrics). */
export const METRIC_RULES: Record<string, (a: Attributes) => MetricMeasure | null> = {
  'gen_ai.client.operation.duration': () => ({ kind: 'calls' }),
  'gen_ai.client.inference.duration': () => ({ kind: 'calls' }),
  'gen_ai.server.time_to_first_token': () => ({ kind: 'ttft' }),
  'gen_ai.client.operation.time_to_first_chunk': () => ({ kind: 'ttft' }),
  'gen_ai.client.inference.time_to_first_chunk': () => ({ kind: 'ttft' }),
  'gen_ai.client.token.usage': byTokenType,
  'gen_ai.client.inference.tokens': byTokenType,
  'gen_ai.client.operation.input_tokens': tokens('input'),
  'gen_ai.client.operation.output_tokens': tokens('output'),
  'gen_ai.client.inference.usage.input_tokens': tokens('input'),
  'gen_ai.client.inference.usage.output_tokens': tokens('output'),
  'gen_ai.client.inference.usage.cache_read.input_tokens': tokens('cacheRead'),
  'gen_ai.client.inference.usage.cache_write.input_tokens': tokens('cacheWrite'),
  'gen_ai.client.inference.usage.reasoning.output_tokens': tokens('reasoning'),
  'claude_code.token.usage': (a) => {
    const known = CLAUDE_TOKEN_TYPES[String(a.type ?? '')];
    return known ? { kind: 'tokens', ...known } : null;
  },
  'claude_code.cost.usage': () => ({ kind: 'cost' }),
};

export function measureOf(metricName: string, attributes: Attributes): MetricMeasure | null {
  const rule = Object.hasOwn(METRIC_RULES, metricName) ? METRIC_RULES[metricName] : undefined;
  return rule ? rule(attributes) : null;
}

/** Milliseconds per unit of a duration metric: GenAI durations are in seconds. */
export function msPerUnit(unit: string): number {
  return unit === 'ms' ? 1 : unit === 'us' ? 1e-3 : unit === 'ns' ? 1e-6 : unit === 'min' ? 60_000 : 1000;
}

const MODEL_KEYS = ['gen_ai.response.model', 'gen_ai.request.model', 'model'];
const PROVIDER_KEYS = ['gen_ai.provider.name', 'gen_ai.system'];
/** Services whose provider is known though their metrics do not name it. */
const SERVICE_PROVIDERS: Record<string, string> = { 'claude-code': 'anthropic' };

export interface MetricDimensions {
  serviceName: string;
  tenantId: string | null;
  /** Not a rollup dimension: it tells held metric deltas apart from a session's spans. */
  sessionId: string | null;
  surface: string | null;
  model: string | null;
  provider: string | null;
  deployment: string | null;
  status: 'ok' | 'error';
}

export function metricDimensions(
  attributes: Attributes,
  resource: Attributes,
  tenantKeys: readonly string[],
): MetricDimensions {
  const fromResource = resourceIdentity(resource, tenantKeys);
  const model = firstId(attributes, MODEL_KEYS);
  const named = firstId(attributes, PROVIDER_KEYS) ?? firstId(resource, PROVIDER_KEYS);
  const provider =
    (named ? normalizeProvider(named) : null) ??
    SERVICE_PROVIDERS[fromResource.serviceName] ??
    (model ? inferProviderFromModel(model) : null);
  return {
    serviceName: fromResource.serviceName,
    tenantId:
      tenantOf(attributes, fromResource, tenantKeys) ??
      firstId(attributes, ['organization.id']) ??
      firstId(resource, ['organization.id']),
    sessionId: sessionOf(attributes, fromResource),
    surface: firstId(attributes, SURFACE_KEYS),
    model,
    provider,
    deployment: fromResource.deployment,
    status: attributes['error.type'] !== undefined ? 'error' : 'ok',
  };
}
