// A project's price catalog: the bundled catalog with the project's own prices
// (model_price_overrides) on top. The collector caches it per project; `vigil reprice` loads it
// once per run.

import type pg from 'pg';
import { createPriceCatalog, type PriceCatalog } from './catalog.ts';
import type { ModelPriceOverride } from './types.ts';

export async function loadPriceCatalog(db: pg.Pool | pg.ClientBase, projectId: string): Promise<PriceCatalog> {
  const { rows } = await db.query(
    `select provider, model, extract(epoch from valid_from) * 1000 as valid_from_ms, input_per_mtok, output_per_mtok,
            cache_read_per_mtok, cache_write_per_mtok, reasoning_per_mtok
       from model_price_overrides where project_id = $1`,
    [projectId],
  );
  const overrides: ModelPriceOverride[] = rows.map((row) => ({
    provider: row.provider === '' ? null : row.provider,
    model: row.model,
    validFromMs: Number.isFinite(row.valid_from_ms) ? row.valid_from_ms : Number.NEGATIVE_INFINITY,
    inputPerMTok: row.input_per_mtok,
    outputPerMTok: row.output_per_mtok,
    cacheReadPerMTok: row.cache_read_per_mtok,
    cacheWritePerMTok: row.cache_write_per_mtok,
    reasoningPerMTok: row.reasoning_per_mtok,
  }));
  return createPriceCatalog(overrides);
}
