// The config in effect: the file's, with each project's overrides from the database (set through
// the API or the dashboard) replacing SLOs, rules and budgets of the same name in that project, and
// adding the project's own Slack routes.

import type pg from 'pg';
import { describeIssues, findConfigFile, loadAlertsConfig, parseAlertsConfig } from './load.ts';
import { overridesSchema } from './overrides.ts';
import type { AlertsConfig } from './schema.ts';
import { expandTimeBudgets } from './time-budgets.ts';

export async function fileConfig(
  path: string | undefined,
  cwd = process.cwd(),
): Promise<{ config: AlertsConfig; source: string; file: string | null }> {
  const file = path ?? findConfigFile(cwd);
  if (!file)
    return { config: parseAlertsConfig({}), source: 'no config file (no SLOs yet: add vigil.config.yaml)', file: null };
  return { config: await loadAlertsConfig(file), source: file, file };
}

export async function withProjectOverrides(
  pool: pg.Pool,
  base: AlertsConfig,
  log: (message: string) => void = () => {},
): Promise<AlertsConfig> {
  const { rows } = await pool.query<{ name: string; config: unknown }>(
    `select p.name, c.config from alert_configs c join projects p on p.id = c.project_id`,
  );
  if (rows.length === 0) return base;
  const merged: AlertsConfig = {
    ...base,
    slos: [...base.slos],
    rules: [...base.rules],
    budgets: [...base.budgets],
    slack: [...base.slack],
  };
  for (const row of rows) {
    const parsed = overridesSchema.safeParse(row.config);
    if (!parsed.success) {
      log(describeIssues(`alert_configs[${row.name}]`, parsed.error));
      continue;
    }
    const replace = <T extends { name: string; project: string }>(list: T[], items: Omit<T, 'project'>[]) => {
      for (const item of items) {
        const full = { ...item, project: row.name } as T;
        const at = list.findIndex((x) => x.project === row.name && x.name === item.name);
        if (at >= 0) list[at] = full;
        else list.push(full);
      }
    };
    replace(merged.slos, parsed.data.slos);
    if (parsed.data.timeBudgets)
      replace(merged.slos, expandTimeBudgets({ ...parsed.data.timeBudgets, project: row.name }));
    replace(merged.rules, parsed.data.rules);
    replace(merged.budgets, parsed.data.budgets);
    for (const route of parsed.data.slack) merged.slack.push({ ...route, project: row.name });
  }
  return merged;
}
