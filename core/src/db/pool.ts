// A connection pool to Vigil's database, without the embedded server or migrations (for processes
// that only read, such as the dashboard).

import pg from 'pg';

// int8 (bigint) and numeric as JS numbers, in every process that reads (the dashboard too): counts
// and costs stay far below 2^53, and the query layer wants numbers. Precision-critical sums are
// done in SQL.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

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
