import { NextResponse, type NextRequest } from 'next/server';
import { crossOriginRefusal } from '../../lib/same-origin.ts';
import { TOKEN_COOKIE } from '../../lib/session.ts';

export function POST(request: NextRequest) {
  const refusal = crossOriginRefusal(request);
  if (refusal) return new NextResponse(refusal, { status: 403 });
  const response = new NextResponse(null, { status: 303, headers: { location: '/login' } });
  response.cookies.delete(TOKEN_COOKIE);
  return response;
}
