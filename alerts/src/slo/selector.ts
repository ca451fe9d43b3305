// A config selector as query filters. SLOs and rules are about model calls unless they say
// otherwise (category: [http] for request spans, say): an AI app's latency is its model calls'.
// A cache hit ratio is about every lookup that said whether it hit, whatever its category (a cache
// span, or a request answered from a semantic cache).

import type { Dimension, RawDimension, RawFilters } from '@vigil/core';
import type { ComparedSelector, Selector } from '../config/schema.ts';

const DIMENSION_OF: Record<keyof ComparedSelector, RawDimension> = {
  service: 'service_name',
  surface: 'surface',
  model: 'model',
  provider: 'provider',
  tenant: 'tenant_id',
  deployment: 'deployment',
  category: 'category',
  prompt: 'prompt_name',
  promptVersion: 'prompt_version',
};

export type Filters = Partial<Record<Dimension, string[]>>;

function filtersOf(merged: Partial<ComparedSelector>): RawFilters {
  const filters: RawFilters = {};
  for (const [key, values] of Object.entries(merged) as [keyof ComparedSelector, string[] | undefined][]) {
    if (values && values.length > 0) filters[DIMENSION_OF[key]] = values;
  }
  return filters;
}

/** What an SLO's SLI or a rule's metric measures, as far as the default category goes. */
export type Measure = 'model_calls' | 'cache_lookups';

export function measureOf(kindOrMetric: string): Measure {
  return kindOrMetric === 'cache_hit_ratio' ? 'cache_lookups' : 'model_calls';
}

export function selectorFilters(
  selector: Selector,
  overrides: Partial<Selector> = {},
  measure: Measure = 'model_calls',
): Filters {
  const defaults: Partial<Selector> = measure === 'model_calls' ? { category: ['model'] } : {};
  return filtersOf({ ...defaults, ...selector, ...overrides }) as Filters;
}

/** Raw-span filters for a canary or baseline slice, within the judge's own selector. */
export function comparedFilters(selector: Selector, compared: ComparedSelector): RawFilters {
  return filtersOf({ category: ['model'], ...selector, ...compared });
}

/** The selector as alert labels: service=chat-api, surface=/api/chat, … */
export function selectorLabels(selector: Selector): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, values] of Object.entries(selector) as [keyof Selector, string[] | undefined][]) {
    if (values && values.length > 0) labels[key] = values.join(',');
  }
  return labels;
}
