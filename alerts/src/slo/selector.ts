// A config selector as query filters. SLOs and rules are about model calls unless they say
// otherwise (category: [http] for request spans, say): an AI app's latency is its model calls'.

import type { Dimension } from '@vigil/core';
import type { Selector } from '../config/schema.ts';

const DIMENSION_OF: Record<keyof Selector, Dimension> = {
  service: 'service_name',
  surface: 'surface',
  model: 'model',
  provider: 'provider',
  tenant: 'tenant_id',
  deployment: 'deployment',
  category: 'category',
};

export type Filters = Partial<Record<Dimension, string[]>>;

export function selectorFilters(selector: Selector, overrides: Partial<Selector> = {}): Filters {
  const merged: Selector = { category: ['model'], ...selector, ...overrides };
  const filters: Filters = {};
  for (const [key, values] of Object.entries(merged) as [keyof Selector, string[] | undefined][]) {
    if (values && values.length > 0) filters[DIMENSION_OF[key]] = values;
  }
  return filters;
}

/** The selector as alert labels: service=chat-api, surface=/api/chat, … */
export function selectorLabels(selector: Selector): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, values] of Object.entries(selector) as [keyof Selector, string[] | undefined][]) {
    if (values && values.length > 0) labels[key] = values.join(',');
  }
  return labels;
}
