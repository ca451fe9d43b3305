// The bundled price data: `@pydantic/genai-prices`, pinned to an exact version in core/package.json.
// The package carries no date of its own, so the publish date of the pinned version is recorded
// here; a test fails when the installed version and this record disagree.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CATALOG_LIBRARY = '@pydantic/genai-prices';
export const CATALOG_PINNED_VERSION = '0.1.8';
/** npm publish time of the pinned version: the newest the bundled prices can be. */
export const CATALOG_DATA_DATE = '2026-09-23';

let installed: string | null = null;

export function installedCatalogVersion(): string {
  if (installed !== null) return installed;
  // The package does not export its package.json; it sits one level above its entry point.
  const entry = fileURLToPath(import.meta.resolve(CATALOG_LIBRARY));
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  installed = manifest.version;
  return installed;
}
