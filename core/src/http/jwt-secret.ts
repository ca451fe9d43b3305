// The secret API tokens are signed with: VIGIL_JWT_SECRET, or one generated on first use and kept
// under the data directory (readable only by its owner).

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { VigilConfig } from '../config.ts';

export async function resolveJwtSecret(
  config: Pick<VigilConfig, 'VIGIL_JWT_SECRET' | 'dataDir'>,
): Promise<{ secret: string; source: string }> {
  if (config.VIGIL_JWT_SECRET) return { secret: config.VIGIL_JWT_SECRET, source: 'VIGIL_JWT_SECRET' };
  const file = path.join(config.dataDir, 'jwt-secret');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 32) return { secret: stored, source: file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, secret + '\n', { mode: 0o600 });
  return { secret, source: file };
}
