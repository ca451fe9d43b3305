// Who is looking: the API token (a Supabase-style JWT) in the `vigil_token` cookie, verified with
// jose against the JWT secret on every request. No token, a bad one or an expired one → /login.

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { AuthError, type Caller, callerFromToken } from '@vigil/core';

export const TOKEN_COOKIE = 'vigil_token';

export function jwtSecret(): string {
  const secret = process.env.VIGIL_JWT_SECRET;
  if (!secret) throw new Error('VIGIL_JWT_SECRET is not set: start the dashboard with `vigil up`');
  return secret;
}

export async function verify(token: string): Promise<Caller> {
  return callerFromToken(token, jwtSecret(), process.env.VIGIL_JWKS_URL ? { jwksUrl: process.env.VIGIL_JWKS_URL } : {});
}

/** The caller of this request, or a redirect to the login page that says why. */
export async function requireCaller(): Promise<Caller> {
  const token = (await cookies()).get(TOKEN_COOKIE)?.value;
  if (!token) redirect('/login');
  try {
    return await verify(token);
  } catch (error) {
    if (error instanceof AuthError) redirect(`/login?reason=${encodeURIComponent(error.message)}`);
    throw error;
  }
}
