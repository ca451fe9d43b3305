// The dashboard's one database pool and query API, shared by every request of this process.

import { createPool } from '@vigil/core';
import { QueryApi } from '@vigil/core';
import type pg from 'pg';

const globalForVigil = globalThis as unknown as { vigilPool?: pg.Pool; vigilApi?: QueryApi };

export function queryApi(): QueryApi {
  if (!globalForVigil.vigilApi) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set: start the dashboard with `vigil up`');
    globalForVigil.vigilPool = createPool(url, { poolSize: 8, applicationName: 'vigil-dashboard' });
    globalForVigil.vigilApi = new QueryApi(globalForVigil.vigilPool);
  }
  return globalForVigil.vigilApi;
}

export function pool(): pg.Pool {
  queryApi();
  return globalForVigil.vigilPool!;
}
