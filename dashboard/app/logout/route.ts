import { NextResponse, type NextRequest } from 'next/server';
import { TOKEN_COOKIE } from '../../lib/session.ts';

export function POST(request: NextRequest) {
  const response = NextResponse.redirect(new URL('/login', request.url), 303);
  response.cookies.delete(TOKEN_COOKIE);
  return response;
}
