// Calls one hook, to roll back or to promote a rollout's step: a signed generic webhook, a GitHub
// repository_dispatch, or a feature flag (its kill switch, or its canary weight). Each attempt has a timeout (10 s by default); 5xx, 429 and network errors are
// retried with jittered backoff; other 4xx are final. Every attempt is returned for the audit trail.

import type { HookConfig } from '../config/schema.ts';
import { backoff } from '../delivery.ts';
import { signedHeaders } from './signature.ts';

export interface RollbackPayload {
  event: 'vigil.rollback';
  idempotencyKey: string;
  project: string;
  deployment: string;
  baseline: string | null;
  trigger: 'judge' | 'burn_alert' | 'manual';
  reason: string;
  at: string;
}

/** A stepped rollout entering a step: the canary now gets `weight` percent; `final` at 100. */
export interface PromotePayload {
  event: 'vigil.promote';
  idempotencyKey: string;
  project: string;
  deployment: string;
  baseline: string | null;
  step: number;
  weight: number;
  final: boolean;
  reason: string;
  at: string;
}

export type HookPayload = RollbackPayload | PromotePayload;

/** What a flag service is asked to do: kill the canary, or give it its step's weight. */
function flagBody(payload: HookPayload) {
  if (payload.event === 'vigil.rollback')
    return {
      action: 'kill',
      enabled: false,
      deployment: payload.deployment,
      reason: payload.reason,
      idempotencyKey: payload.idempotencyKey,
    };
  return {
    action: 'set_weight',
    enabled: true,
    deployment: payload.deployment,
    weight: payload.weight,
    final: payload.final,
    reason: payload.reason,
    idempotencyKey: payload.idempotencyKey,
  };
}

export interface HookAttempt {
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  ok: boolean;
  error: string | null;
}

export interface HookResult {
  hook: string;
  ok: boolean;
  attempts: HookAttempt[];
}

interface PreparedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

function secretFrom(env: NodeJS.ProcessEnv, name: string, hook: string): string {
  const value = env[name];
  if (!value) throw new Error(`hook ${hook}: environment variable ${name} is not set`);
  return value;
}

export function prepareRequest(
  hook: HookConfig,
  payload: HookPayload,
  env: NodeJS.ProcessEnv,
  nowMs = Date.now(),
): PreparedRequest {
  const common = {
    'content-type': 'application/json',
    'idempotency-key': payload.idempotencyKey,
    'user-agent': 'vigil-alerts',
  };
  switch (hook.type) {
    case 'webhook': {
      const body = JSON.stringify(payload);
      return {
        url: hook.url,
        method: 'POST',
        headers: { ...common, ...signedHeaders(secretFrom(env, hook.secretEnv, hook.name), body, nowMs) },
        body,
      };
    }
    case 'github':
      return {
        url: `${hook.apiUrl.replace(/\/$/, '')}/repos/${hook.repository}/dispatches`,
        method: 'POST',
        headers: {
          ...common,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          authorization: `Bearer ${secretFrom(env, hook.tokenEnv, hook.name)}`,
        },
        // client_payload takes at most 10 top-level keys (GitHub's limit); ours have 8 and 10.
        body: JSON.stringify({
          event_type: hook.eventType ?? (payload.event === 'vigil.rollback' ? 'vigil-rollback' : 'vigil-promote'),
          client_payload: payload,
        }),
      };
    case 'flag':
      return {
        url: hook.url,
        method: hook.method,
        headers: {
          ...common,
          ...(hook.tokenEnv ? { authorization: `Bearer ${secretFrom(env, hook.tokenEnv, hook.name)}` } : {}),
        },
        body: JSON.stringify(flagBody(payload)),
      };
  }
}

export async function callHook(
  hook: HookConfig,
  payload: HookPayload,
  env: NodeJS.ProcessEnv = process.env,
): Promise<HookResult> {
  const attempts: HookAttempt[] = [];
  for (let attempt = 1; attempt <= hook.retries + 1; attempt++) {
    const startedAt = new Date();
    let statusCode: number | null = null;
    let error: string | null = null;
    let retryAfterMs: number | null = null;
    try {
      // Signed per attempt: a retry carries a fresh timestamp, the same idempotency key.
      const request = prepareRequest(hook, payload, env);
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(hook.timeout),
        redirect: 'error',
      });
      statusCode = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) {
        error = `HTTP ${response.status}`;
        const retryAfter = Number(response.headers.get('retry-after'));
        if (response.status === 429 && Number.isFinite(retryAfter)) retryAfterMs = Math.min(retryAfter * 1000, 30_000);
      }
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? `timed out after ${hook.timeout} ms` : (e as Error).message;
    }
    const ok = error === null;
    attempts.push({ attempt, startedAt, durationMs: Date.now() - startedAt.getTime(), statusCode, ok, error });
    if (ok) return { hook: hook.name, ok: true, attempts };
    const final =
      statusCode !== null && statusCode >= 400 && statusCode < 500 && statusCode !== 429 && statusCode !== 408;
    if (final || error?.includes('is not set')) break;
    if (attempt <= hook.retries) await new Promise((r) => setTimeout(r, retryAfterMs ?? backoff(attempt - 1)));
  }
  return { hook: hook.name, ok: false, attempts };
}
