// A project's alerting overrides through the API: read them, replace them, clear them. Changing
// them is an admin's (row-level security decides, as the caller); each change is audited with the
// overrides before and after. The engine reads them on its next tick.

import { ApiError, type ApiRoute, auditOfCaller, defineRoute, recordAudit, withCaller } from '@vigil/core';
import { z } from 'zod';
import { ConfigError } from '../config/load.ts';
import {
  clearOverrides,
  overridesAudit,
  putOverrides,
  readOverrides,
  type StoredOverrides,
  validateOverrides,
} from '../config/overrides.ts';
import { changeAsCaller } from './changes.ts';
import { type AlertsApiOptions, projectName, projectOf } from './context.ts';

const projectQuery = z.object({ project: z.string().optional() });
const projectBody = z.object({ project: projectName }).strict();
const putBody = z
  .object({
    project: projectName,
    /** SLOs, rules, budgets, timeBudgets and slack, as in the config file, without `project`. */
    overrides: z.record(z.string(), z.unknown()),
  })
  .strict();

const shown = (stored: StoredOverrides | null) =>
  stored ? { overrides: stored.overrides, updatedAt: stored.updatedAt.toISOString() } : null;

export function overrideRoutes(options: AlertsApiOptions): ApiRoute[] {
  const { pool } = options;
  return [
    defineRoute<undefined, z.infer<typeof projectQuery>>({
      method: 'get',
      path: '/alerts/overrides',
      summary: "The project's alerting overrides as stored (null when it has none)",
      tag: 'alerts',
      access: 'read_health',
      query: projectQuery,
      handle: async ({ caller, query }) => {
        const project = await projectOf(pool, caller, query.project);
        const stored = await withCaller(pool, caller, (client) => readOverrides(client, project.id));
        return { body: { project: project.name, ...(shown(stored) ?? { overrides: null, updatedAt: null }) } };
      },
    }),
    defineRoute<z.infer<typeof putBody>>({
      method: 'post',
      path: '/alerts/overrides',
      summary: "Replace the project's alerting overrides: SLOs, rules, budgets and Slack routes by name",
      tag: 'alerts',
      access: 'administer',
      body: putBody,
      handle: async ({ caller, body }) => {
        const project = await projectOf(pool, caller, body.project);
        let overrides: Record<string, unknown>;
        try {
          overrides = validateOverrides(body.overrides, project.name) as Record<string, unknown>;
        } catch (error) {
          if (error instanceof ConfigError) throw new ApiError(400, error.message);
          throw error;
        }
        const before = await changeAsCaller(pool, caller, (client) => putOverrides(client, project.id, overrides));
        await recordAudit(pool, { ...auditOfCaller(caller), ...overridesAudit(project.id, before, overrides) });
        return { body: { project: project.name, overrides, replaced: shown(before) } };
      },
    }),
    defineRoute<z.infer<typeof projectBody>>({
      method: 'post',
      path: '/alerts/overrides/clear',
      summary: "Remove the project's alerting overrides: the config file alone applies",
      tag: 'alerts',
      access: 'administer',
      body: projectBody,
      handle: async ({ caller, body }) => {
        const project = await projectOf(pool, caller, body.project);
        const before = await changeAsCaller(pool, caller, (client) => clearOverrides(client, project.id));
        if (before) await recordAudit(pool, { ...auditOfCaller(caller), ...overridesAudit(project.id, before, null) });
        return { body: { project: project.name, cleared: shown(before) } };
      },
    }),
  ];
}
