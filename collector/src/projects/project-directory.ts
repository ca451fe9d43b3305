// Who is sending: ingest key → project, and each project's settings and price catalog. Cached for
// a short time so the hot path does not ask Postgres on every request; a revoked key stops working
// within the cache's lifetime.

import {
  createPriceCatalog,
  hashIngestKey,
  loadPriceCatalog,
  looksLikeIngestKey,
  type PriceCatalog,
  type Project,
  resolveIngestKeyUntil,
} from '@vigil/core';
import type pg from 'pg';

interface Cached<T> {
  value: T;
  expiresAt: number;
}

export interface ProjectDirectoryOptions {
  keyTtlMs?: number;
  priceTtlMs?: number;
  maxCachedKeys?: number;
}

export class ProjectDirectory {
  private readonly keys = new Map<string, Cached<Project | null>>();
  private readonly catalogs = new Map<string, Cached<PriceCatalog>>();
  private readonly lastUsedWrites = new Map<string, number>();
  private readonly pool: pg.Pool;
  private readonly keyTtlMs: number;
  private readonly priceTtlMs: number;
  private readonly maxCachedKeys: number;

  constructor(pool: pg.Pool, options: ProjectDirectoryOptions = {}) {
    this.pool = pool;
    this.keyTtlMs = options.keyTtlMs ?? 30_000;
    this.priceTtlMs = options.priceTtlMs ?? 60_000;
    this.maxCachedKeys = options.maxCachedKeys ?? 10_000;
  }

  /** The project of a valid, unrevoked key; null otherwise. Throws when the database is down. */
  async projectForKey(key: string): Promise<Project | null> {
    if (!looksLikeIngestKey(key)) return null;
    const hash = hashIngestKey(key);
    const now = Date.now();
    const cached = this.keys.get(hash);
    if (cached && cached.expiresAt > now) return cached.value;
    const resolved = await resolveIngestKeyUntil(this.pool, key);
    const project = resolved?.project ?? null;
    if (this.keys.size >= this.maxCachedKeys) this.keys.clear();
    // A key that ends sooner than the cache would keep it is refused from its end on, to the second.
    const until = Math.min(now + this.keyTtlMs, resolved?.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
    this.keys.set(hash, { value: project, expiresAt: until });
    if (project) this.touchKey(hash, now);
    return project;
  }

  async priceCatalog(projectId: string): Promise<PriceCatalog> {
    const now = Date.now();
    const cached = this.catalogs.get(projectId);
    if (cached && cached.expiresAt > now) return cached.value;
    const catalog = await loadPriceCatalog(this.pool, projectId);
    this.catalogs.set(projectId, { value: catalog, expiresAt: now + this.priceTtlMs });
    return catalog;
  }

  /** The label of the project's cached catalog (the pipeline priced with it just before writing). */
  cachedCatalogLabel(projectId: string): string {
    return this.catalogs.get(projectId)?.value.label ?? createPriceCatalog().label;
  }

  // last_used_at is for humans ("is this key still in use?"): once a minute per key is plenty.
  private touchKey(hash: string, now: number): void {
    if ((this.lastUsedWrites.get(hash) ?? 0) > now - 60_000) return;
    this.lastUsedWrites.set(hash, now);
    this.pool.query('update ingest_keys set last_used_at = now() where key_hash = $1', [hash]).catch(() => {});
  }
}
