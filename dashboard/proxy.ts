// Before any page renders (and starts streaming), a request without a valid token is sent to the
// login page with a real redirect, saying why. Pages check the token again themselves.

import { NextResponse, type NextRequest } from 'next/server';
import { AuthError, isValidHostHeader, subjectFromToken } from '@vigil/core';
import { pagePolicy } from './lib/content-policy.ts';

const TOKEN_COOKIE = 'vigil_token';

// Sign-in, sign-out and the API (bearer tokens, checked by the API itself) need no cookie.
const OPEN_PATHS = /^\/(login|auth|logout|api\/)/;

export async function proxy(request: NextRequest) {
  if (!isValidHostHeader(request.headers.get('host')))
    return new NextResponse('invalid Host header', { status: 400, headers: { 'content-type': 'text/plain' } });
  if (OPEN_PATHS.test(request.nextUrl.pathname)) return NextResponse.next();
  const token = request.cookies.get(TOKEN_COOKIE)?.value;
  const to = (pathname: string, search: string) => {
    const url = request.nextUrl.clone();
    url.pathname = pathname;
    url.search = search;
    return NextResponse.redirect(url, 307);
  };
  const login = (reason?: string) => to('/login', reason ? `?reason=${encodeURIComponent(reason)}` : '');
  if (!token) return login();
  try {
    // The signature and expiry only: a Supabase user's membership is read by the page (lib/session.ts).
    await subjectFromToken(
      token,
      process.env.VIGIL_JWT_SECRET ?? '',
      process.env.VIGIL_JWKS_URL ? { jwksUrl: process.env.VIGIL_JWKS_URL } : {},
    );
  } catch (error) {
    if (error instanceof AuthError) return login(error.message);
    throw error;
  }
  // A trace id typed into the sessions search opens the trace.
  const q = request.nextUrl.searchParams.get('q')?.trim();
  if (request.nextUrl.pathname === '/sessions' && q && /^[0-9a-f]{32}$/.test(q)) {
    const params = new URLSearchParams(request.nextUrl.searchParams);
    params.delete('q');
    return to(`/traces/${q}`, `?${params}`);
  }
  return withScriptPolicy(request);
}

/** The page's Content-Security-Policy, with a nonce for this request's scripts. */
function withScriptPolicy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const policy = pagePolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  // Everything but Next's assets and the favicon: the Host check applies to every route.
  matcher: ['/((?!_next/|favicon.ico).*)'],
};
