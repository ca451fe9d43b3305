// Sign-in and sign-out change who the browser is signed in as, so they take posts from the
// dashboard's own pages only: a cross-site form could otherwise sign a visitor in as the
// attacker (login CSRF) or out.

/** Why a post is refused, or null when it comes from this origin (or from no browser at all). */
export function crossOriginRefusal(request: Request): string | null {
  const site = request.headers.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return `refused a ${site} post`;
  const origin = request.headers.get('origin');
  if (origin === null) return null;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  try {
    return new URL(origin).host === host ? null : `refused a post from ${new URL(origin).origin}`;
  } catch {
    return 'refused a post with an unreadable Origin';
  }
}
