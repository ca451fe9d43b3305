// One model-call span with every stored field set to a plain default, for tests that need a span
// and care about a few of its fields (passed as overrides).

import { NO_USAGE, type StoredSpan } from '@vigil/core';

export function modelSpan(overrides: Partial<StoredSpan> = {}): StoredSpan {
  return {
    projectId: '00000000-0000-0000-0000-000000000001',
    traceId: 'ab'.repeat(16),
    spanId: 'cd'.repeat(8),
    parentSpanId: null,
    name: 'chat',
    kind: 3,
    serviceName: 'app',
    startMs: Date.now(),
    durationMs: 12,
    category: 'model',
    status: 'ok',
    statusMessage: null,
    tenantId: 'acme',
    sessionId: null,
    userId: null,
    surface: null,
    deployment: null,
    environment: null,
    model: 'gpt-4o',
    provider: 'openai',
    operation: 'chat',
    promptName: null,
    promptVersion: null,
    cacheHit: null,
    ttftMs: null,
    wrapper: false,
    ...NO_USAGE,
    attributes: {},
    events: [],
    ...overrides,
  };
}
