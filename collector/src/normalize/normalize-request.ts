// The normalize stage over one decoded request: every span of every resource and scope becomes a
// StoredSpan of the sending project. Dialect wrappers lose their usage here (see asWrapper).

import { asWrapper, type Project, type StoredSpan } from '@vigil/core';
import type { DecodeResult } from '../otlp/types.ts';
import { normalizeSpan } from './normalize.ts';
import type { NormalizeOptions } from './types.ts';

export function normalizeRequest(decoded: DecodeResult, project: Project): StoredSpan[] {
  const options: NormalizeOptions = { tenantKeys: project.tenantAttributeKeys, captureContent: project.captureContent };
  const spans: StoredSpan[] = [];
  for (const resourceSpans of decoded.resourceSpans) {
    for (const scope of resourceSpans.scopeSpans) {
      for (const decodedSpan of scope.spans) {
        const span = normalizeSpan(decodedSpan, resourceSpans.resource, options, scope.scopeName);
        span.projectId = project.id;
        if (span.wrapper) asWrapper(span);
        spans.push(span);
      }
    }
  }
  return spans;
}
