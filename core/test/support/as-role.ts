// Runs work as a database role with Supabase's JWT claims, in a transaction that is rolled back:
// how the tests ask what row-level security lets a caller see or do.

import type pg from 'pg';

export async function asRole<T>(
  pool: pg.Pool,
  role: string,
  claims: Record<string, unknown> | null,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`set local role ${role}`);
    if (claims) await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    return await work(client);
  } finally {
    await client.query('rollback');
    client.release();
  }
}
