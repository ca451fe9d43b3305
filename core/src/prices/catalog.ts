// Prices for model calls: a project's own override first, then the bundled catalog. Each distinct
// (provider, model) string is resolved against the catalog once and cached; the per-call work is
// the arithmetic in price-math.ts.

import { calcPrice, type ConditionalPrice, type ModelInfo, type ModelPrice } from '@pydantic/genai-prices';
import type { ModelPriceOverride, PriceQuery, PriceResult } from './types.ts';
import { costOf, type ModelPrices } from './price-math.ts';
import { CATALOG_DATA_DATE, CATALOG_LIBRARY, installedCatalogVersion } from './catalog-data.ts';

/** Vigil's provider ids (OTel `gen_ai.provider.name` values) → the catalog's provider ids. */
const CATALOG_PROVIDER: Record<string, string> = {
  openai: 'openai',
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  anthropic: 'anthropic',
  'aws.bedrock': 'aws',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  mistral_ai: 'mistral',
  x_ai: 'x-ai',
  groq: 'groq',
  deepseek: 'deepseek',
  cohere: 'cohere',
  perplexity: 'perplexity',
  moonshot_ai: 'moonshotai',
  openrouter: 'openrouter',
  together: 'together',
  fireworks: 'fireworks',
  cerebras: 'cerebras',
};

type TimeConstraint = { type: 'start_date'; startMs: number } | { type: 'time_of_date'; startS: number; endS: number };

interface ResolvedModel {
  /** Conditional prices in catalog order; the last one whose constraint holds wins. */
  variants: { constraint: TimeConstraint | null; prices: ModelPrices }[];
}

const MAX_RESOLVED = 10_000;

function secondsOfDay(time: string): number {
  const match = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(time);
  if (!match) return 0;
  const offset = match[4] === 'Z' ? 0 : (match[5] === '+' ? 1 : -1) * (Number(match[6]) * 3600 + Number(match[7]) * 60);
  return (Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) - offset + 86400) % 86400;
}

function toVariants(model: ModelInfo): ResolvedModel['variants'] {
  if (!Array.isArray(model.prices)) return [{ constraint: null, prices: model.prices as ModelPrices }];
  return (model.prices as ConditionalPrice[]).map((entry) => {
    const c = entry.constraint;
    const constraint: TimeConstraint | null = !c
      ? null
      : c.type === 'start_date'
        ? { type: 'start_date', startMs: Date.parse(c.start_date) }
        : { type: 'time_of_date', startS: secondsOfDay(c.start_time), endS: secondsOfDay(c.end_time) };
    return { constraint, prices: entry.prices as ModelPrice as ModelPrices };
  });
}

function pricesAt(model: ResolvedModel, atMs: number): ModelPrices {
  const { variants } = model;
  for (let i = variants.length - 1; i >= 0; i--) {
    const { constraint, prices } = variants[i]!;
    if (!constraint) return prices;
    if (constraint.type === 'start_date') {
      if (atMs >= constraint.startMs) return prices;
    } else {
      const s = (((atMs / 1000) % 86400) + 86400) % 86400;
      const inWindow =
        constraint.endS < constraint.startS
          ? s >= constraint.startS || s < constraint.endS
          : s >= constraint.startS && s < constraint.endS;
      if (inWindow) return prices;
    }
  }
  return variants[0]!.prices;
}

/** Finds the catalog entry for a model string as spans report it. */
function resolveInCatalog(provider: string | null, model: string): ResolvedModel | null {
  const probe = { input_tokens: 1, output_tokens: 1 };
  const providerId = provider ? CATALOG_PROVIDER[provider] : undefined;
  const attempts: [string, string | undefined][] = [[model, providerId]];
  // OpenRouter-style "openai/gpt-4o" and Gemini's "models/gemini-1.5-pro".
  const slash = model.indexOf('/');
  if (slash > 0)
    attempts.push([
      model.slice(slash + 1),
      providerId ?? CATALOG_PROVIDER[model.slice(0, slash)] ?? model.slice(0, slash),
    ]);
  if (providerId) attempts.push([model, undefined]);
  for (const [modelId, id] of attempts) {
    try {
      const result = calcPrice(probe, modelId, id ? { providerId: id } : {});
      if (result) return { variants: toVariants(result.model) };
    } catch {
      // An unknown provider id makes the library throw; the next attempt goes without it.
    }
  }
  return null;
}

// Shared by every project's catalog: the bundled data is the same for all.
const resolvedModels = new Map<string, ResolvedModel | null>();

export class PriceCatalog {
  private readonly overrides = new Map<string, ModelPriceOverride[]>();
  /**
   * Which prices this catalog applies, as recorded in pricing_days: the bundled catalog's package
   * and version, and how many of the project's own prices sit on top.
   */
  readonly label: string;

  constructor(overrides: ModelPriceOverride[] = []) {
    this.label = `${CATALOG_LIBRARY}@${installedCatalogVersion()}${overrides.length > 0 ? ` + ${overrides.length} project prices` : ''}`;
    for (const override of overrides) {
      const key = override.model;
      const list = this.overrides.get(key) ?? [];
      list.push(override);
      list.sort((a, b) => b.validFromMs - a.validFromMs);
      this.overrides.set(key, list);
    }
  }

  price(query: PriceQuery): PriceResult {
    const override = this.findOverride(query);
    if (override) {
      return {
        costUsd: costOf(
          {
            input_mtok: override.inputPerMTok,
            output_mtok: override.outputPerMTok,
            ...(override.cacheReadPerMTok !== null ? { cache_read_mtok: override.cacheReadPerMTok } : {}),
            ...(override.cacheWritePerMTok !== null ? { cache_write_mtok: override.cacheWritePerMTok } : {}),
            ...(override.reasoningPerMTok !== null ? { output_reasoning_mtok: override.reasoningPerMTok } : {}),
          },
          query.usage,
        ),
        source: 'override',
      };
    }
    const model = this.resolve(query.provider, query.model);
    if (!model) return { costUsd: null, source: null };
    return { costUsd: costOf(pricesAt(model, query.atMs), query.usage), source: 'catalog' };
  }

  private findOverride(query: PriceQuery): ModelPriceOverride | undefined {
    const list = this.overrides.get(query.model);
    if (!list) return undefined;
    return list.find((o) => o.validFromMs <= query.atMs && (o.provider === null || o.provider === query.provider));
  }

  private resolve(provider: string | null, model: string): ResolvedModel | null {
    const key = `${provider ?? ''}\u0000${model}`;
    let resolved = resolvedModels.get(key);
    if (resolved === undefined) {
      resolved = resolveInCatalog(provider, model);
      // Hostile or endlessly varied model strings must not grow memory without bound.
      if (resolvedModels.size >= MAX_RESOLVED) resolvedModels.clear();
      resolvedModels.set(key, resolved);
    }
    return resolved;
  }
}

export function createPriceCatalog(overrides: ModelPriceOverride[] = []): PriceCatalog {
  return new PriceCatalog(overrides);
}

export function catalogInfo(): { library: string; version: string; dataDate: string } {
  return { library: CATALOG_LIBRARY, version: installedCatalogVersion(), dataDate: CATALOG_DATA_DATE };
}
