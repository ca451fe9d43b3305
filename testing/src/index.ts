export { createTestDatabase, type TestDatabase } from './database.ts';
export { generateSpans, rng } from './generated-spans.ts';
