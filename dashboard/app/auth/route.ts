// Signs in with a token: from the link `vigil token` prints (GET ?token=…) or the login form. The
// token is checked before it is stored, and the cookie lasts no longer than the token.

import { NextResponse, type NextRequest } from 'next/server';
import { limitedText } from '../../lib/limited-body.ts';
import { crossOriginRefusal } from '../../lib/same-origin.ts';
import { TOKEN_COOKIE, verify } from '../../lib/session.ts';

const MAX_FORM_BYTES = 16 * 1024;

async function signIn(request: NextRequest, token: string | null): Promise<NextResponse> {
  // A relative Location: behind `next start` request.url names localhost, which is not
  // necessarily the host the visitor used (the cookie belongs to that one).
  const to = (path: string) => new NextResponse(null, { status: 303, headers: { location: path } });
  if (!token) return to('/login?reason=no%20token');
  try {
    await verify(token);
  } catch (error) {
    return to(`/login?reason=${encodeURIComponent((error as Error).message)}`);
  }
  const exp = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}').exp as
    | number
    | undefined;
  const response = to('/');
  response.cookies.set(TOKEN_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.nextUrl.protocol === 'https:',
    path: '/',
    ...(exp ? { expires: new Date(exp * 1000) } : {}),
  });
  return response;
}

export async function GET(request: NextRequest) {
  return signIn(request, request.nextUrl.searchParams.get('token'));
}

export async function POST(request: NextRequest) {
  const refusal = crossOriginRefusal(request);
  if (refusal) return new NextResponse(refusal, { status: 403 });
  // The sign-in form, urlencoded; a token is a few hundred bytes.
  const body = await limitedText(request, MAX_FORM_BYTES);
  if (body === null) return new NextResponse(`sign-in form over ${MAX_FORM_BYTES} bytes`, { status: 413 });
  return signIn(request, new URLSearchParams(body).get('token') || null);
}
