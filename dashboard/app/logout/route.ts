import { NextResponse, type NextRequest } from 'next/server';
import { TOKEN_COOKIE } from '../../lib/session.ts';

export function POST(_request: NextRequest) {
  const response = new NextResponse(null, { status: 303, headers: { location: '/login' } });
  response.cookies.delete(TOKEN_COOKIE);
  return response;
}
