// Changes (silences, promote, roll back) go through Vigil's API with the visitor's own token, so
// the API's checks apply exactly as they do for a pipeline or the CLI.

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { TOKEN_COOKIE } from './session.ts';

export interface VigilApiResult {
  ok: boolean;
  status: number;
  body: Record<string, unknown>;
}

export async function callVigilApi(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<VigilApiResult> {
  const base = process.env.VIGIL_API_URL;
  if (!base)
    return { ok: false, status: 503, body: { error: 'VIGIL_API_URL is not set: start the dashboard with `vigil up`' } };
  const token = (await cookies()).get(TOKEN_COOKIE)?.value ?? '';
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    cache: 'no-store',
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { ok: response.ok, status: response.status, body };
}

/** Why a call failed, in the API's words: its error message (errors.ts), else the status. */
export function apiErrorText(result: VigilApiResult): string {
  const error = result.body.error;
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string')
    return error.message;
  return `HTTP ${result.status}`;
}

/** Back to the page an action came from, with its outcome in ?notice= (components/notice.tsx shows it). */
export function backWithNotice(path: string, query: string, message: string): never {
  redirect(`${path}?${query}${query ? '&' : ''}notice=${encodeURIComponent(message)}`);
}
