// Calling a set of hooks for one claimed action (a rollback, a rollout step) and keeping the audit
// trail: every attempt of every hook as a row, and one status for the whole on the action's row.

import type pg from 'pg';
import type { HookConfig } from '../config/schema.ts';
import { type HookPayload, type HookResult, callHook } from './call-hook.ts';

export type HooksStatus = 'succeeded' | 'partial' | 'failed';

/** Each action's row (its status once the hooks are done) and its table of hook calls. */
const AUDIT = {
  rollback: { action: 'rollbacks', calls: 'rollback_hook_calls', column: 'rollback_id' },
  step: { action: 'rollout_steps', calls: 'rollout_hook_calls', column: 'rollout_step_id' },
} as const;

/** Which claimed action the hooks are called for: a rollback or a rollout step, by its row's id. */
export interface HookAudit {
  projectId: string;
  kind: keyof typeof AUDIT;
  id: string;
}

export async function runHooks(
  pool: pg.Pool,
  hooks: HookConfig[],
  payload: HookPayload,
  audit: HookAudit,
  env: NodeJS.ProcessEnv,
): Promise<{ status: HooksStatus; hooks: HookResult[] }> {
  const results = await Promise.all(hooks.map((hook) => callHook(hook, payload, env)));
  const tables = AUDIT[audit.kind];
  for (const result of results) {
    for (const a of result.attempts) {
      await pool.query(
        `insert into ${tables.calls} (project_id, ${tables.column}, hook, attempt, started_at, duration_ms, status_code, ok, error)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [audit.projectId, audit.id, result.hook, a.attempt, a.startedAt, a.durationMs, a.statusCode, a.ok, a.error],
      );
    }
  }
  const succeeded = results.filter((h) => h.ok).length;
  const status =
    results.length === 0 || succeeded === results.length ? 'succeeded' : succeeded > 0 ? 'partial' : 'failed';
  await pool.query(`update ${tables.action} set status = $2, finished_at = now() where id = $1`, [audit.id, status]);
  return { status, hooks: results };
}

/** Each hook's outcome as notifications show it. */
export function hookLines(hooks: HookResult[]): { hook: string; ok: boolean; detail: string }[] {
  return hooks.map((h) => ({
    hook: h.hook,
    ok: h.ok,
    detail: h.ok ? `ok after ${h.attempts.length} attempt(s)` : (h.attempts.at(-1)?.error ?? 'failed'),
  }));
}
