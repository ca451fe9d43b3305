// Cache hit rate per surface and cache, and what the hits saved, from the rollups: the same counts raw spans
// give, before and after compaction, and each hit priced at the surface's mean priced call.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects.ts';
import { SERVICE_CALLER } from '../src/query/caller.ts';
import { readCacheSavings } from '../src/query/read-cache.ts';
import { readMetrics } from '../src/query/read-metrics.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { compactRollups } from '../src/rollups/compactor.ts';
import { createTestDatabase, generateSpans, type TestDatabase } from '@vigil/testing';

const now = Math.floor(Date.now() / 60_000) * 60_000;
const window = { from: new Date(now - 6 * 3_600_000), to: new Date(now) };

let db: TestDatabase;
let projectId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'cache-savings')).id;
  await bulkLoadSpans(
    db.pool,
    generateSpans({ projectId, fromMs: now - 5 * 3_600_000, toMs: now - 120_000, requests: 300, seed: 11 }),
  );
}, 60_000);
afterAll(() => db.drop());

/** Hits and misses per surface and cache, each hit priced at the surface's mean priced model call. */
async function fromSpans(tenant?: string) {
  const { rows } = await db.pool.query(
    `with spans_in as (
       select * from spans where project_id = $1 and start_time >= $2 and start_time < $3 and ($4::text is null or tenant_id = $4)),
     calls as (
       select coalesce(surface, '') as surface, count(cost_usd)::int as priced, coalesce(sum(cost_usd), 0)::float8 as cost
         from spans_in where category = 'model' group by 1)
     select coalesce(s.surface, '') as surface, coalesce(s.provider, '') as cache,
            (count(*) filter (where cache_hit))::int as hits, (count(*) filter (where not cache_hit))::int as misses,
            coalesce(max(c.priced), 0) as priced, coalesce(max(c.cost), 0) as cost
       from spans_in s left join calls c on c.surface = coalesce(s.surface, '')
      group by 1, 2 having count(cache_hit) > 0`,
    [projectId, window.from, window.to, tenant ?? null],
  );
  return rows.map((r) => ({
    surface: r.surface,
    cache: r.cache,
    hits: r.hits,
    misses: r.misses,
    savedUsd: r.priced > 0 ? (r.hits * r.cost) / r.priced : null,
  }));
}

const rounded = (
  rows: { surface: string | null; cache: string | null; hits: number; misses: number; savedUsd: number | null }[],
) =>
  rows
    .map((r) => ({
      surface: r.surface ?? '',
      cache: r.cache ?? '',
      hits: r.hits,
      misses: r.misses,
      savedUsd: r.savedUsd?.toFixed(9) ?? null,
    }))
    .sort((a, b) => a.surface.localeCompare(b.surface) || a.cache.localeCompare(b.cache));

describe('cache savings', () => {
  it('counts hits and misses per surface and cache as raw spans do, pending and compacted alike, and prices the hits', async () => {
    const raw = await fromSpans();
    expect(raw.length).toBeGreaterThan(1);
    expect(new Set(raw.map((r) => r.cache))).toEqual(new Set(['redis', 'semantic']));
    expect(raw.every((r) => r.hits > 0 && r.misses > 0)).toBe(true);
    const expected = rounded(raw.map((r) => ({ ...r, surface: r.surface })));
    expect(rounded(await readCacheSavings(db.pool, SERVICE_CALLER, { projectId, window }))).toEqual(expected);
    await compactRollups(db.pool, { nowMs: now + 600_000 });
    const compacted = await readCacheSavings(db.pool, SERVICE_CALLER, { projectId, window });
    expect(rounded(compacted)).toEqual(expected);
    for (const s of compacted) expect(s.hitRatio).toBeCloseTo(s.hits / (s.hits + s.misses), 12);
  });

  it('gives the hit ratio on every metrics point, and the same from raw spans', async () => {
    const q = { projectId, window, groupBy: ['surface' as const], quantiles: [] };
    const rollup = await readMetrics(db.pool, SERVICE_CALLER, q);
    const exact = await readMetrics(db.pool, SERVICE_CALLER, { ...q, exact: true });
    expect(rollup.map((p) => [p.group.surface, p.cache])).toEqual(exact.map((p) => [p.group.surface, p.cache]));
    // No lookup said anything: unknown, not zero.
    const models = await readMetrics(db.pool, SERVICE_CALLER, {
      projectId,
      window,
      filters: { category: ['model'] },
      quantiles: [],
    });
    expect(models[0]!.cache).toEqual({ hits: 0, misses: 0, hitRatio: null });
  });

  it('shows a tenant only its own lookups', async () => {
    const tenant = 'tenant-1';
    const scoped = await readCacheSavings(
      db.pool,
      { role: 'authenticated', projectId, tenantId: tenant, memberRole: 'finance' },
      { projectId, window },
    );
    expect(rounded(scoped)).toEqual(rounded(await fromSpans(tenant)));
  });
});
