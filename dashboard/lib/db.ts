// The dashboard's one database pool, shared by every request of this process. Pages read through
// the read functions of core and alerts, as the visitor's caller.

import { createPool } from '@vigil/core';
import type pg from 'pg';

const globalForVigil = globalThis as unknown as { vigilPool?: pg.Pool };

export function pool(): pg.Pool {
  if (!globalForVigil.vigilPool) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set: start the dashboard with `vigil up`');
    globalForVigil.vigilPool = createPool(url, { poolSize: 8, applicationName: 'vigil-dashboard' });
  }
  return globalForVigil.vigilPool;
}
