// A connection pool to Vigil's database, without the embedded server or migrations (for processes
// that only read, such as the dashboard).

import pg from 'pg';

export interface PoolOptions {
  poolSize?: number;
  applicationName?: string;
}

export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'vigil',
    connectionTimeoutMillis: 5000,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  return pool;
}
