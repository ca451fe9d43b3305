// Starts one real Postgres server for the whole test run: the embedded server (data under
// .vigil/test, reused between runs) or the server at VIGIL_TEST_DATABASE_URL. Each test file then
// creates its own throw-away database on it (see ./database.ts).

import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@vigil/core';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.VIGIL_TEST_DATABASE_URL;
  if (external) {
    project.provide('pgAdminUrl', external);
    return async () => {};
  }
  const server = await startEmbeddedPostgres({
    dataDir: path.resolve(import.meta.dirname, '../../.vigil/test'),
    port: Number(process.env.VIGIL_TEST_PG_PORT ?? 54331),
  });
  project.provide('pgAdminUrl', server.url);
  return () => server.stop();
}
