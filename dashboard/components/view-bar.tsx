// The time range presets, filters, project switcher and auto-refresh: plain links and a GET form,
// so every choice lands in the URL and works without JavaScript.

import Link from 'next/link';
import { RANGES, type View, viewHref } from '../lib/view.ts';

export function ViewBar({ view, path }: { view: View; path: string }) {
  const input =
    'rounded-tremor-small border border-tremor-border bg-tremor-background px-2 py-1 text-tremor-default dark:border-dark-tremor-border dark:bg-dark-tremor-background';
  return (
    <div className="mb-6 flex flex-wrap items-end gap-3 text-tremor-default" data-testid="view-bar">
      <nav className="flex gap-1" aria-label="time range">
        {(Object.keys(RANGES) as (keyof typeof RANGES)[]).map((range) => (
          <Link
            key={range}
            href={viewHref(view, path, { range, from: null, to: null })}
            className={`rounded-tremor-small px-2 py-1 ${view.range === range ? 'bg-tremor-brand text-tremor-brand-inverted' : 'text-tremor-content hover:bg-tremor-background-subtle'}`}
          >
            {range}
          </Link>
        ))}
      </nav>
      <form method="get" action={path} className="flex flex-wrap items-end gap-2">
        {view.projects.length > 1 ? (
          <label className="flex flex-col text-tremor-label text-tremor-content">
            project
            <select name="project" defaultValue={view.projectName} className={input}>
              {view.projects.map((p) => (
                <option key={p.id}>{p.name}</option>
              ))}
            </select>
          </label>
        ) : null}
        <input type="hidden" name="range" value={view.range === 'custom' ? '24h' : view.range} />
        <label className="flex flex-col text-tremor-label text-tremor-content">
          from
          <input
            name="from"
            type="datetime-local"
            defaultValue={view.range === 'custom' ? view.from.toISOString().slice(0, 16) : ''}
            className={input}
          />
        </label>
        <label className="flex flex-col text-tremor-label text-tremor-content">
          to
          <input
            name="to"
            type="datetime-local"
            defaultValue={view.range === 'custom' ? view.to.toISOString().slice(0, 16) : ''}
            className={input}
          />
        </label>
        {(['tenant', 'service', 'surface', 'model', 'deployment'] as const).map((key) => (
          <label key={key} className="flex flex-col text-tremor-label text-tremor-content">
            {key}
            <input
              name={key}
              defaultValue={view.selected[key] ?? ''}
              placeholder="all"
              disabled={key === 'tenant' && view.tenantScoped !== null}
              className={`${input} w-32`}
            />
          </label>
        ))}
        <label className="flex flex-col text-tremor-label text-tremor-content">
          refresh
          <select name="refresh" defaultValue={view.refreshS ? String(view.refreshS) : ''} className={input}>
            <option value="">off</option>
            <option value="10">10 s</option>
            <option value="30">30 s</option>
            <option value="60">1 min</option>
          </select>
        </label>
        <button type="submit" className="rounded-tremor-small bg-tremor-brand px-3 py-1 text-tremor-brand-inverted">
          Apply
        </button>
      </form>
      {view.refreshS ? <meta httpEquiv="refresh" content={String(view.refreshS)} /> : null}
    </div>
  );
}
