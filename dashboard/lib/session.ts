// Who is looking: the API token (a Supabase-style JWT, or a Supabase Auth session of a project
// member) in the `vigil_token` cookie, verified with jose against the JWT secret on every request.
// No token, a bad one, an expired one or a user who is no member → /login.

import { cookies } from 'next/headers';
import { cache } from 'react';
import { redirect } from 'next/navigation';
import { AuthError, type Caller, type Capability, callerCan, callerFromToken } from '@vigil/core';
import { pool } from './db.ts';

export const TOKEN_COOKIE = 'vigil_token';

export function jwtSecret(): string {
  const secret = process.env.VIGIL_JWT_SECRET;
  if (!secret) throw new Error('VIGIL_JWT_SECRET is not set: start the dashboard with `vigil up`');
  return secret;
}

export async function verify(token: string): Promise<Caller> {
  return callerFromToken(token, jwtSecret(), {
    pool: pool(),
    ...(process.env.VIGIL_JWKS_URL ? { jwksUrl: process.env.VIGIL_JWKS_URL } : {}),
  });
}

/** A request's sign-in: its caller, or why there is none (null: no token at all). */
type Session = { caller: Caller } | { reason: string | null };

/**
 * This request's session, verified once however many server components ask (the layout and the
 * page both do): React's per-request cache.
 */
const session = cache(async (): Promise<Session> => {
  const token = (await cookies()).get(TOKEN_COOKIE)?.value;
  if (!token) return { reason: null };
  try {
    return { caller: await verify(token) };
  } catch (error) {
    if (error instanceof AuthError) return { reason: error.message };
    throw error;
  }
});

/** The caller of this request, or a redirect to the login page that says why. */
export async function requireCaller(): Promise<Caller> {
  const s = await session();
  if ('caller' in s) return s.caller;
  redirect(s.reason === null ? '/login' : `/login?reason=${encodeURIComponent(s.reason)}`);
}

/** The caller of this request, or null without a usable token (the layout, which wraps /login too). */
export async function currentCaller(): Promise<Caller | null> {
  const s = await session();
  return 'caller' in s ? s.caller : null;
}

/**
 * The caller of a page that needs a capability. A role without it is sent to the page saying so,
 * never shown an empty page: the data would be refused by row-level security anyway.
 */
export async function requireCapability(capability: Capability): Promise<Caller> {
  const caller = await requireCaller();
  if (!callerCan(caller, capability)) redirect(`/denied?need=${capability}`);
  return caller;
}
