// Calling a set of hooks for one claimed action (a rollback, a rollout step) and keeping the audit
// trail: every attempt of every hook as a row, and one status for the whole.

import type pg from 'pg';
import type { HookConfig } from '../config/schema.ts';
import { type HookPayload, type HookResult, callHook } from './call-hook.ts';

export type HooksStatus = 'succeeded' | 'partial' | 'failed';

/** Where the attempts are recorded: the action's table of hook calls and its row's id. */
export interface HookAudit {
  projectId: string;
  table: 'rollback_hook_calls' | 'rollout_hook_calls';
  column: 'rollback_id' | 'rollout_step_id';
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
  for (const result of results) {
    for (const a of result.attempts) {
      await pool.query(
        `insert into ${audit.table} (project_id, ${audit.column}, hook, attempt, started_at, duration_ms, status_code, ok, error)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [audit.projectId, audit.id, result.hook, a.attempt, a.startedAt, a.durationMs, a.statusCode, a.ok, a.error],
      );
    }
  }
  const succeeded = results.filter((h) => h.ok).length;
  const status =
    results.length === 0 || succeeded === results.length ? 'succeeded' : succeeded > 0 ? 'partial' : 'failed';
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
