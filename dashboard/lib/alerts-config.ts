// The alerts config in effect (the file and the projects' overrides), one source for the pages and
// the API route: re-read on each call, so edits apply without a restart.

import { ConfigSource } from '@vigil/alerts';
import { pool } from './db.ts';

let source: ConfigSource | undefined;

export function alertsConfigSource(): ConfigSource {
  source ??= new ConfigSource(pool(), process.env.VIGIL_CONFIG);
  return source;
}
