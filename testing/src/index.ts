export { COLLECTOR_TEST_SETTINGS } from './collector-settings.ts';
export { createTestDatabase, type TestDatabase } from './database.ts';
export { generateSpans } from './generated-spans.ts';
export { rawHttpStatusLine } from './raw-http.ts';
export { modelSpan } from './model-span.ts';
