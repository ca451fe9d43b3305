// What a page shows, read from its URL: the project, the time range (a preset or from/to), the
// filters and auto-refresh. Everything lives in the URL, so a link reproduces the view.

import { z } from 'zod';
import type { Caller } from '@vigil/core';
import { pool } from './db.ts';
import { alignedStart, stepFor } from './view-step.ts';

export const RANGES = {
  '1h': 3_600_000,
  '6h': 21_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  '30d': 2_592_000_000,
} as const;
export type RangeName = keyof typeof RANGES;

export const FILTER_KEYS = {
  tenant: 'tenant_id',
  service: 'service_name',
  surface: 'surface',
  model: 'model',
  deployment: 'deployment',
} as const;
export type FilterKey = keyof typeof FILTER_KEYS;

export interface View {
  projectId: string;
  projectName: string;
  projects: { id: string; name: string }[];
  range: RangeName | 'custom';
  from: Date;
  to: Date;
  stepMs: number;
  filters: Partial<Record<(typeof FILTER_KEYS)[FilterKey], string[]>>;
  selected: Partial<Record<FilterKey, string>>;
  refreshS: number | null;
  tenantScoped: string | null;
  /** The view's own query string, for links that keep it. */
  query: string;
}

type SearchParams = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const instant = z.coerce.date().refine((d) => !Number.isNaN(d.getTime()));

export { stepFor } from './view-step.ts';

export async function resolveView(params: SearchParams, caller: Caller, now = Date.now()): Promise<View> {
  const { rows: projects } = await pool().query<{ id: string; name: string }>(
    caller.role === 'service_role'
      ? `select id, name from projects order by name`
      : `select id, name from projects where id = $1`,
    caller.role === 'service_role' ? [] : [caller.projectId],
  );
  const wanted = first(params.project);
  const project = projects.find((p) => p.name === wanted) ?? projects.find((p) => p.name === 'default') ?? projects[0];
  if (!project) throw new Error('no project: create one with `vigil projects create <name>`');

  const fromParam = instant.safeParse(first(params.from));
  const toParam = instant.safeParse(first(params.to));
  let range: View['range'] = (first(params.range) as RangeName) in RANGES ? (first(params.range) as RangeName) : '24h';
  const alignedNow = Math.ceil(now / 60_000) * 60_000;
  let from = new Date(alignedNow - RANGES[range as RangeName]);
  let to = new Date(alignedNow);
  if (fromParam.success && toParam.success && toParam.data > fromParam.data) {
    range = 'custom';
    from = fromParam.data;
    to = toParam.data;
  }

  const selected: View['selected'] = {};
  const filters: View['filters'] = {};
  for (const key of Object.keys(FILTER_KEYS) as FilterKey[]) {
    const value = first(params[key]);
    if (value) {
      selected[key] = value;
      filters[FILTER_KEYS[key]] = [value];
    }
  }
  const tenantScoped = caller.role === 'authenticated' && caller.tenantId ? caller.tenantId : null;
  // Row-level security already limits a tenant viewer; the filter makes the page say so too.
  if (tenantScoped) {
    selected.tenant = tenantScoped;
    filters.tenant_id = [tenantScoped];
  }
  const stepMs = stepFor(to.getTime() - from.getTime());
  from = new Date(alignedStart(from.getTime(), stepMs));
  const refresh = Number(first(params.refresh));
  const query = new URLSearchParams(
    Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(first(v))]])),
  ).toString();
  return {
    projectId: project.id,
    projectName: project.name,
    projects,
    range,
    from,
    to,
    stepMs,
    filters,
    selected,
    refreshS: Number.isFinite(refresh) && refresh >= 5 ? refresh : null,
    tenantScoped,
    query,
  };
}

/** The view's query string with some parameters changed (null removes one). */
export function viewQuery(view: View, changes: Record<string, string | null> = {}): string {
  const params = new URLSearchParams(view.query);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) params.delete(key);
    else params.set(key, value);
  }
  return params.toString();
}

/** A link to path that keeps the view, with some parameters changed. */
export function viewHref(view: View, path: string, changes: Record<string, string | null> = {}): string {
  const query = viewQuery(view, changes);
  return query ? `${path}?${query}` : path;
}
