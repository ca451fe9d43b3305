export { startLoad, type LoadOptions, type LoadTarget } from './load.ts';
export { ensureAppSchema } from './schema.ts';

import path from 'node:path';

/** How to run the app as its own process: node --import <instrumentation> <main>. */
export const APP_ENTRY = {
  instrumentation: path.join(import.meta.dirname, 'instrumentation.ts'),
  main: path.join(import.meta.dirname, 'main.ts'),
};
