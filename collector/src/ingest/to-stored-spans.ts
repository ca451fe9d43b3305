// Decoded OTLP → rows for one project: normalise each span's dialect, then price it.

import type { Project } from '@vigil/core/projects';
import type { PriceCatalog } from '@vigil/core/prices/catalog';
import { normalizeSpan } from '../normalize/normalize.ts';
import type { NormalizeOptions } from '../normalize/types.ts';
import type { DecodeResult } from '../otlp/types.ts';
import { markWrapper } from '../writer/resolve-context.ts';
import type { StoredSpan } from '../writer/stored-span.ts';

export function toStoredSpans(decoded: DecodeResult, project: Project, catalog: PriceCatalog): StoredSpan[] {
  const options: NormalizeOptions = { tenantKeys: project.tenantAttributeKeys, captureContent: project.captureContent };
  const spans: StoredSpan[] = [];
  for (const resourceSpans of decoded.resourceSpans) {
    for (const scope of resourceSpans.scopeSpans) {
      for (const decodedSpan of scope.spans) {
        const span: StoredSpan = normalizeSpan(decodedSpan, resourceSpans.resource, scope.scopeName, options);
        span.projectId = project.id;
        if (span.wrapper) {
          markWrapper(span);
        } else if (span.category === 'model') {
          priceSpan(span, catalog);
        }
        spans.push(span);
      }
    }
  }
  return spans;
}

/** Catalog or project price first; a cost the span reported itself only when no price is known. */
function priceSpan(span: StoredSpan, catalog: PriceCatalog): void {
  if (span.model) {
    const priced = catalog.price({ provider: span.provider, model: span.model, atMs: span.startMs, usage: span });
    if (priced.costUsd !== null) {
      span.costUsd = priced.costUsd;
      span.costSource = priced.source;
      return;
    }
  }
  if (span.reportedCostUsd !== null) {
    span.costUsd = span.reportedCostUsd;
    span.costSource = 'span';
  }
}
