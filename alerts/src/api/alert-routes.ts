// Alerts through the API: the definitions and notification routes in effect, silences, and the
// engine's instances, samples and history.

import { ApiError, type ApiRoute, auditOfCaller, defineRoute, readRoute, recordAudit } from '@vigil/core';
import { z } from 'zod';
import { notificationRoutes } from '../engine/outbox.ts';
import {
  alertHistoryQuerySchema,
  alertSamplesQuerySchema,
  alertsQuerySchema,
  readAlertHistory,
  readAlertSamples,
  readAlerts,
} from '../reads/alert-reads.ts';
import { changeAsCaller, lockChangeable } from './changes.ts';
import { type AlertsApiOptions, projectName, projectOf } from './context.ts';

const silenceSchema = z
  .object({
    project: projectName,
    /** Labels that must all match, e.g. {"slo": "chat-errors"}. */
    matchers: z
      .record(z.string().min(1).max(100), z.string().min(1).max(500))
      .refine((m) => Object.keys(m).length > 0, 'give at least one label'),
    /** How long from now: 30m, 2h, 1d (at most 30 days). */
    minutes: z
      .number()
      .int()
      .positive()
      .max(30 * 24 * 60),
    comment: z.string().max(500).optional(),
  })
  .strict();

const silenceParams = z.object({ id: z.string().uuid('a silence id is a UUID') });
const projectQuery = z.object({ project: z.string().optional() });
const projectBody = z.object({ project: projectName });

export function alertRoutes(options: AlertsApiOptions): ApiRoute[] {
  const { pool } = options;
  return [
    defineRoute<undefined, z.infer<typeof projectQuery>>({
      method: 'get',
      path: '/alerts/config',
      summary: "The project's SLOs, rules, budgets and notification routes in effect",
      tag: 'alerts',
      access: 'read_health',
      query: projectQuery,
      handle: async ({ caller, query }) => {
        const project = await projectOf(pool, caller, query.project);
        const config = await options.config();
        const mine = <T extends { project: string }>(items: T[]) =>
          items.filter((item) => item.project === project.name);
        // Where the project's alerts go, as the outbox routes them: channels and the names of the
        // variables holding their URLs (never the URLs, which are secrets).
        const routes = notificationRoutes(config, project.name).map(
          ({ channel, name, urlEnv, severities, sendResolved }) => ({
            channel,
            name,
            urlEnv,
            severities,
            sendResolved,
          }),
        );
        return { body: { slos: mine(config.slos), rules: mine(config.rules), budgets: mine(config.budgets), routes } };
      },
    }),
    defineRoute<z.infer<typeof silenceSchema>>({
      method: 'post',
      path: '/silences',
      summary: 'Silence the alerts whose labels match, for a while',
      tag: 'alerts',
      access: 'operate',
      body: silenceSchema,
      responses: { 201: 'silenced' },
      handle: async ({ caller, body }) => {
        const project = await projectOf(pool, caller, body.project);
        const silence = await changeAsCaller(pool, caller, async (client) => {
          const { rows } = await client.query(
            `insert into alert_silences (project_id, matchers, ends_at, created_by, comment) values ($1, $2, now() + make_interval(mins => $3), $4, $5)
             returning id, matchers, starts_at, ends_at`,
            [
              project.id,
              body.matchers,
              body.minutes,
              caller.role === 'service_role' ? 'admin' : 'member',
              body.comment ?? null,
            ],
          );
          return rows[0];
        });
        await recordAudit(pool, {
          ...auditOfCaller(caller),
          projectId: project.id,
          action: 'silence.created',
          target: String(silence.id),
          after: { matchers: silence.matchers, endsAt: silence.ends_at, comment: body.comment ?? null },
        });
        return { status: 201, body: { silence } };
      },
    }),
    defineRoute<z.infer<typeof projectBody>, undefined, z.infer<typeof silenceParams>>({
      method: 'post',
      path: '/silences/:id/expire',
      summary: 'End a silence now',
      tag: 'alerts',
      access: 'operate',
      params: silenceParams,
      body: projectBody,
      responses: { 404: 'no active silence with that id' },
      handle: async ({ caller, body, params }) => {
        const project = await projectOf(pool, caller, body.project);
        const missing = 'no active silence with that id in this project';
        const silence = await changeAsCaller(pool, caller, async (client) => {
          await lockChangeable(
            pool,
            client,
            {
              table: 'alert_silences',
              columns: 'id',
              where: 'id = $1 and project_id = $2',
              params: [params.id, project.id],
            },
            missing,
          );
          const { rows } = await client.query(
            `update alert_silences set ends_at = now() where id = $1 and project_id = $2 and ends_at > now() returning id, ends_at`,
            [params.id, project.id],
          );
          if (!rows[0]) throw new ApiError(404, missing);
          return rows[0];
        });
        await recordAudit(pool, {
          ...auditOfCaller(caller),
          projectId: project.id,
          action: 'silence.expired',
          target: String(silence.id),
          after: { endsAt: silence.ends_at },
        });
        return { body: { silence } };
      },
    }),
    readRoute(
      pool,
      '/alerts',
      "The alert engine's instances and what it last saw",
      'alerts',
      'read_health',
      alertsQuerySchema,
      readAlerts,
    ),
    readRoute(
      pool,
      '/alerts/history',
      'The alert timeline, silences, and the delivery logs of notifications, rollback hooks and judgements',
      'alerts',
      'read_health',
      alertHistoryQuerySchema,
      readAlertHistory,
    ),
    readRoute(
      pool,
      '/alerts/samples',
      'What the engine measured per instance (burn rate for SLOs), highest per step',
      'alerts',
      'read_health',
      alertSamplesQuerySchema,
      readAlertSamples,
    ),
  ];
}
