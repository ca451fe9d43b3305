// Changes (silences, promote, roll back) go through Vigil's API with the visitor's own token, so
// the API's checks apply exactly as they do for a pipeline or the CLI.

import { cookies } from 'next/headers';
import { TOKEN_COOKIE } from './session.ts';

export async function callVigilApi(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ ok: boolean; status: number; body: Record<string, unknown> }> {
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
