// A project's alerting overrides (alert_configs): SLOs, rules, budgets, time budgets and Slack
// routes that replace the config file's of the same name in that project. Read, replaced and
// cleared here, by the API (as the caller, under row-level security) and by the CLI alike; each
// change returns what was there before, for the audit log.

import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, describeIssues, parseAlertsConfig } from './load.ts';
import { budgetSchema, ruleSchema, slackSchema, sloSchema } from './schema.ts';
import { timeBudgetsSchema } from './time-budgets.ts';

export const overridesSchema = z
  .object({
    slos: z.array(sloSchema.omit({ project: true })).default([]),
    rules: z.array(ruleSchema.omit({ project: true })).default([]),
    budgets: z.array(budgetSchema.omit({ project: true })).default([]),
    timeBudgets: timeBudgetsSchema.omit({ project: true }).optional(),
    /** The project's own Slack routes (URLs stay in the environment: webhookUrlEnv). */
    slack: z.array(slackSchema.omit({ project: true })).default([]),
  })
  .strict();

/** Overrides as written: what the API and the CLI accept (defaults not yet filled in). */
export type OverridesInput = z.input<typeof overridesSchema>;

/**
 * Overrides checked as the engine will read them, and as a whole config checks them (a name used
 * twice, a bad window): a ConfigError that says what is wrong and where.
 */
export function validateOverrides(input: unknown, project: string): OverridesInput {
  const parsed = overridesSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(describeIssues('overrides', parsed.error));
  // The whole-config check reads the overrides as written (durations as text), in their project.
  const written = input as OverridesInput;
  const inProject = (items: object[] | undefined) => (items ?? []).map((item) => ({ ...item, project }));
  parseAlertsConfig(
    {
      slos: inProject(written.slos),
      rules: inProject(written.rules),
      budgets: inProject(written.budgets),
      timeBudgets: written.timeBudgets ? [{ ...written.timeBudgets, project }] : [],
      slack: inProject(written.slack),
    },
    'overrides',
  );
  return written;
}

/** Overrides from a YAML or JSON file (JSON is YAML), for the CLI; validateOverrides checks them. */
export function readOverridesFile(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`);
  }
}

export interface StoredOverrides {
  /** As stored; it validated when written, but a config schema change can make it stop. */
  overrides: Record<string, unknown>;
  updatedAt: Date;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** The project's overrides; `lock` holds the row until the transaction ends (before a change). */
export async function readOverrides(db: Queryable, projectId: string, lock = false): Promise<StoredOverrides | null> {
  const { rows } = await db.query<{ config: Record<string, unknown>; updated_at: Date }>(
    `select config, updated_at from alert_configs where project_id = $1${lock ? ' for update' : ''}`,
    [projectId],
  );
  return rows[0] ? { overrides: rows[0].config, updatedAt: rows[0].updated_at } : null;
}

/** What the audit log keeps of a change to a project's overrides: the overrides before and after. */
export function overridesAudit(
  projectId: string,
  before: StoredOverrides | null,
  after: Record<string, unknown> | null,
): {
  projectId: string;
  action: 'config.overrides_set' | 'config.overrides_cleared';
  target: string;
  before: { overrides: Record<string, unknown> } | null;
  after: { overrides: Record<string, unknown> } | null;
} {
  return {
    projectId,
    action: after ? 'config.overrides_set' : 'config.overrides_cleared',
    target: 'alert_configs',
    before: before ? { overrides: before.overrides } : null,
    after: after ? { overrides: after } : null,
  };
}

/** Replaces the project's overrides (validated by the caller); returns the ones replaced. */
export async function putOverrides(
  db: Queryable,
  projectId: string,
  overrides: OverridesInput,
): Promise<StoredOverrides | null> {
  const before = await readOverrides(db, projectId, true);
  await db.query(
    `insert into alert_configs (project_id, config) values ($1, $2)
     on conflict (project_id) do update set config = excluded.config, updated_at = now()`,
    [projectId, overrides],
  );
  return before;
}

/** Removes the project's overrides, so the file's config alone applies; returns the ones removed. */
export async function clearOverrides(db: Queryable, projectId: string): Promise<StoredOverrides | null> {
  const before = await readOverrides(db, projectId, true);
  if (before) await db.query(`delete from alert_configs where project_id = $1`, [projectId]);
  return before;
}
